"""The asv suite. The measurement library, `stackbench`, lives next to it.

asv imports this package from the working tree but not its parent folder,
and the environments under test hold only their stack's pins (and psutil),
so the library is put on the path here rather than installed in each stack:
the instrument is the working tree's, the thing measured is the stack.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
