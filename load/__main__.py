"""``python -m load``: the same command as ``logikal-harness load``."""

import argparse
import sys

from load.cli import add_load_arguments, run_load_command

parser = argparse.ArgumentParser(prog="python -m load", description="locust load profiles and capacity plans")
add_load_arguments(parser)
sys.exit(run_load_command(parser.parse_args()))
