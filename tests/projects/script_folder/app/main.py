import sys

from models.stacks import lstm_stack

model = lstm_stack(64, int(sys.argv[1]), 0.3)
