"""The demo of `make run`: its users and its cases."""
