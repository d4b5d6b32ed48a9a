"""Servers and apps that misbehave on purpose, to test the failure paths."""
