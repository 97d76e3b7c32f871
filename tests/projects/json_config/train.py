import json

from models import head, stack

with open("configs/stack.json") as handle:
    stack_config = json.load(handle)
model = stack.build(stack_config)
second = head.build(json.load(open("configs/head.json", "r")))
