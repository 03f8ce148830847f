import { mutableDefault } from '../../src/static/rules/m5-mutable-default.js';
import { ruleTable } from './rule-table.js';

ruleTable(mutableDefault, {
  valid: [
    'def f(x=None):\n    x = x or []\n',
    'def f(x=()):\n    return x\n',
    'def f(x=frozenset()):\n    return x\n',
    'def f(name="items", n=0, ratio=1.5, flag=True):\n    return name\n',
    'def f(x=tuple()):\n    return x\n',
    'def f():\n    items = []\n    mapping = {}\n    return items, mapping\n',
    'result = compute(values=[1, 2], options={})\n',
    'g = lambda x=None: x\n',
    'def f(x: list | None = None, y: tuple = (1,)):\n    pass\n',
    'def f(*, key=b"k", sep=", "):\n    pass\n',
    {
      name: 'a user-defined list() is not the builtin only when shadowed by import',
      code: 'from mylib import list\ndef f(x=list()):\n    pass\n',
    },
  ],
  invalid: [
    {
      code: 'def f(x=[]):\n    x.append(1)\n',
      lines: [1],
      message: "Parameter 'x' defaults to a mutable list shared by every call.",
      function: 'f',
    },
    {
      code: 'def f(x={}):\n    pass\n',
      message: "Parameter 'x' defaults to a mutable dict shared by every call.",
    },
    {
      code: 'def f(x=set()):\n    pass\n',
      message: "Parameter 'x' defaults to a mutable set() shared by every call.",
    },
    {
      code: 'def f(x=list()):\n    pass\n',
      message: "Parameter 'x' defaults to a mutable list() shared by every call.",
    },
    {
      code: 'def f(x=dict()):\n    pass\n',
      message: "Parameter 'x' defaults to a mutable dict() shared by every call.",
    },
    {
      code: 'import collections\ndef f(x=collections.defaultdict(list)):\n    pass\n',
      lines: [2],
      message: "Parameter 'x' defaults to a mutable collections.defaultdict() shared by every call.",
    },
    {
      code: 'from collections import Counter as C\ndef f(x=C()):\n    pass\n',
      lines: [2],
      message: "Parameter 'x' defaults to a mutable C() shared by every call.",
    },
    {
      code: 'def f(a, *, b: dict[str, int] = {}):\n    pass\n',
      message: "Parameter 'b' defaults to a mutable dict shared by every call.",
    },
    {
      code: 'class A:\n    def m(self, cache={1: 2}):\n        return cache\n',
      function: 'A.m',
      message: "Parameter 'cache' defaults to a mutable dict shared by every call.",
    },
    {
      code: 'handler = lambda event, seen=[]: seen.append(event)\n',
      message: "Parameter 'seen' defaults to a mutable list shared by every call.",
    },
    {
      code: 'async def f(x=[i for i in range(3)]):\n    pass\n',
      message: "Parameter 'x' defaults to a mutable list comprehension shared by every call.",
    },
    {
      code: 'def f(x=[], y={}):\n    pass\n',
      lines: [1, 1],
      message: [
        "Parameter 'x' defaults to a mutable list shared by every call.",
        "Parameter 'y' defaults to a mutable dict shared by every call.",
      ],
    },
    {
      code: 'def outer():\n    def inner(acc=[]):\n        return acc\n    return inner\n',
      function: 'outer.inner',
      message: "Parameter 'acc' defaults to a mutable list shared by every call.",
    },
    {
      code: 'def f(x=bytearray()):\n    pass\n',
      message: "Parameter 'x' defaults to a mutable bytearray() shared by every call.",
    },
  ],
});
