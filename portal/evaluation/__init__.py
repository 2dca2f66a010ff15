"""The annual April evaluation of the cooperation between a school and its consultant."""
