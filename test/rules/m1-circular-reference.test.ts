import { circularReference } from '../../src/static/rules/m1-circular-reference.js';
import { ruleTable } from './rule-table.js';

ruleTable(circularReference, {
  valid: [
    {
      name: 'weakref.ref back-reference',
      code: `
        import weakref
        class Node:
            def add_child(self, child):
                child.parent = weakref.ref(self)
                self.children.append(child)
      `,
    },
    {
      name: 'weakref.proxy in the mirror form',
      code: `
        import weakref
        class Node:
            def __init__(self, parent):
                self.parent = weakref.proxy(parent)
                parent.children.append(self)
      `,
    },
    {
      name: 'children kept in a WeakSet',
      code: `
        import weakref
        class Hub:
            def __init__(self):
                self.listeners = weakref.WeakSet()
            def subscribe(self, listener):
                listener.hub = self
                self.listeners.add(listener)
      `,
    },
    {
      name: 'children kept in a WeakValueDictionary defined in another class of the file',
      code: `
        from weakref import WeakValueDictionary
        class Registry:
            def __init__(self):
                self._items = WeakValueDictionary()
        class Item:
            def __init__(self, registry, key):
                self.registry = registry
                registry._items[key] = self
      `,
    },
    {
      name: 'back-reference is a property whose setter stores a weakref',
      code: `
        import weakref
        class Node:
            @property
            def parent(self):
                return self._parent() if self._parent else None
            @parent.setter
            def parent(self, value):
                self._parent = weakref.ref(value)
        class Tree:
            def add(self, node):
                node.parent = self
                self.nodes.append(node)
      `,
    },
    {
      name: 'plain self.x = other without a collection',
      code: `
        class Service:
            def __init__(self, config, db):
                self.config = config
                self.db = db
                db.owner_name = self.name
      `,
    },
    {
      name: 'collection holds something else than the back-referencing object',
      code: `
        class Order:
            def add_line(self, product, qty):
                line = OrderLine(product, qty)
                product.last_order = self
                self.lines.append(line)
      `,
    },
    {
      name: 'doubly linked list without a collection',
      code: `
        class LinkedList:
            def push(self, node):
                node.next = self.head
                self.head = node
      `,
    },
    {
      name: 'the back-reference and the insertion in different functions',
      code: `
        class Node:
            def set_parent(self, parent):
                self.parent = parent
            def add(self, child):
                self.children.append(child)
      `,
    },
    {
      name: 'constructor keeps the parent weakly',
      code: `
        import weakref
        class Node:
            def __init__(self, name, parent=None):
                self.name = name
                self.parent = weakref.ref(parent) if parent else None
                self.children = []
            def add(self, name):
                child = Node(name, parent=self)
                self.children.append(child)
                return child
      `,
    },
    {
      name: 'constructor of a class defined elsewhere (unknown), or an argument it does not store',
      code: `
        from .models import Item
        class Cart:
            def add(self, sku):
                item = Item(sku, cart=self)
                self.items.append(item)
        class Job:
            def __init__(self, name, runner):
                self.name = name
                runner.log(name)
        class Runner:
            def submit(self, name):
                job = Job(name, self)
                self.jobs.append(job)
      `,
    },
    {
      name: 'plain values appended, not objects',
      code: `
        class Stats:
            def record(self, value):
                self.total = value
                self.values.append(value)
      `,
    },
  ],
  invalid: [
    {
      name: 'child.parent = self with self.children.append(child)',
      code: `
        class Node:
            def __init__(self, name):
                self.name = name
                self.parent = None
                self.children = []
            def add_child(self, child):
                child.parent = self
                self.children.append(child)
      `,
      lines: [7],
      message:
        "'child.parent = self' points back at the owner of 'self.children', which holds 'child': a reference cycle only the cyclic GC can free.",
      function: 'Node.add_child',
    },
    {
      name: 'mirror form in the constructor',
      code: `
        class Node:
            def __init__(self, name, parent=None):
                self.name = name
                self.parent = parent
                self.children = []
                if parent is not None:
                    parent.children.append(self)
      `,
      lines: [4],
      message:
        "'self.parent = parent' points back at the owner of 'parent.children', which holds 'self': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'registry dict keyed by name',
      code: `
        class PluginManager:
            def register(self, plugin):
                plugin.manager = self
                self._plugins[plugin.name] = plugin
      `,
      message:
        "'plugin.manager = self' points back at the owner of 'self._plugins', which holds 'plugin': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'set.add and order independence',
      code: `
        class Room:
            def join(self, client):
                self.clients.add(client)
                client.room = self
      `,
      lines: [4],
      message:
        "'client.room = self' points back at the owner of 'self.clients', which holds 'client': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'insert(i, x) and extend([x])',
      code: `
        class Menu:
            def prepend(self, item):
                item.menu = self
                self.items.insert(0, item)
            def push(self, item):
                item.menu = self
                self.items.extend([item])
      `,
      lines: [3, 6],
      message:
        "'item.menu = self' points back at the owner of 'self.items', which holds 'item': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'tree built in a plain function',
      code: `
        def attach(parent, child):
            parent.children.append(child)
            child.parent = parent
      `,
      lines: [3],
      message:
        "'child.parent = parent' points back at the owner of 'parent.children', which holds 'child': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'request objects pointing back at the app that tracks them',
      code: `
        class App:
            def handle(self, environ):
                request = Request(environ)
                request.app = self
                self.active_requests.append(request)
                return self.dispatch(request)
      `,
      message:
        "'request.app = self' points back at the owner of 'self.active_requests', which holds 'request': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'constructor stores the parent: child = Node(name, parent=self)',
      code: `
        class Node:
            def __init__(self, name, parent=None):
                self.name = name
                self.parent = parent
                self.children = []
            def add(self, name):
                child = Node(name, parent=self)
                self.children.append(child)
                return child
      `,
      lines: [7],
      message:
        "'child = Node(…self…)' stores 'self' as child.parent and points back at the owner of 'self.children', which holds 'child': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'dataclass field filled positionally',
      code: `
        from dataclasses import dataclass, field
        @dataclass
        class Comment:
            text: str
            thread: "Thread"
        class Thread:
            def reply(self, text):
                c = Comment(text, self)
                self.comments.append(c)
      `,
      lines: [8],
      message:
        "'c = Comment(…self…)' stores 'self' as c.thread and points back at the owner of 'self.comments', which holds 'c': a reference cycle only the cyclic GC can free.",
    },
    {
      name: 'observer list with a back-reference',
      code: `
        class Subject:
            def attach(self, observer):
                observer.subject = self
                self._observers += [observer]
      `,
      message:
        "'observer.subject = self' points back at the owner of 'self._observers', which holds 'observer': a reference cycle only the cyclic GC can free.",
    },
  ],
});
