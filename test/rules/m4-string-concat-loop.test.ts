import { stringConcatLoop } from '../../src/static/rules/m4-string-concat-loop.js';
import { ruleTable } from './rule-table.js';

ruleTable(stringConcatLoop, {
  valid: [
    {
      name: 'numeric accumulators',
      code: `
        def totals(items):
            count = 0
            total = 0.0
            for item in items:
                count += 1
                total += item.price
                total = total + item.tax
            return count, total
      `,
    },
    {
      name: 'list accumulators',
      code: `
        def collect(rows):
            acc = []
            for row in rows:
                acc += [row.id]
                acc = acc + [row.name]
            return acc
      `,
    },
    {
      name: 'fresh string each iteration',
      code: `
        def lines(rows):
            out = []
            s = ""
            for row in rows:
                s = ""
                s += row.name
                s += ";"
                out.append(s)
            return out
      `,
    },
    {
      name: 'concatenation outside loops',
      code: `
        def greet(name):
            msg = "Hello, "
            msg += name
            msg = msg + "!"
            return msg
      `,
    },
    {
      name: 'join instead of +=',
      code: `
        def render(rows):
            parts = []
            for row in rows:
                parts.append(f"<li>{row}</li>")
            return "".join(parts)
      `,
    },
    {
      name: 'bytearray buffer',
      code: `
        def read_all(sock):
            buf = bytearray()
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buf += chunk
            return bytes(buf)
      `,
    },
    {
      name: 'rebound to a non-string before the loop',
      code: `
        def f(xs):
            s = ""
            s = 0
            for x in xs:
                s += x
            return s
      `,
    },
    {
      name: 'string literal in another function',
      code: `
        PREFIX = ""
        def build(xs):
            out = PREFIX
            for x in xs:
                out += x
            return out
      `,
    },
    {
      name: 'loop header is evaluated once',
      code: `
        def f(a, b):
            s = ""
            for ch in s + a + b:
                print(ch)
      `,
    },
  ],
  invalid: [
    {
      name: 'html built with += in a for loop',
      code: `
        def render_rows(rows):
            html = ""
            for row in rows:
                html += f"<tr><td>{row.name}</td></tr>"
            return html
      `,
      lines: [4],
      message:
        "'html' is a string grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
      function: 'render_rows',
    },
    {
      name: 'bytes buffer in a while loop',
      code: `
        def read_all(sock):
            data = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data
      `,
      message:
        "'data' is a bytes grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
    },
    {
      name: 's = s + x',
      code: `
        def csv_line(values):
            line = ''
            for v in values:
                line = line + str(v) + ','
            return line
      `,
      message:
        "'line' is a string grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
    },
    {
      name: 'prepend s = x + s',
      code: `
        def path_of(node):
            path = ""
            while node:
                path = "/" + node.name + path
                node = node.parent
            return path
      `,
      message:
        "'path' is a string grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
    },
    {
      name: 'reported once per loop, not per +=',
      code: `
        def report(rows):
            out = "id,name\\n"
            for r in rows:
                out += str(r.id)
                out += ","
                out += r.name + "\\n"
            return out
      `,
      lines: [4],
      message:
        "'out' is a string grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
    },
    {
      name: 'inner loop growing a string reset by the outer loop',
      code: `
        def table(rows):
            lines = []
            for row in rows:
                line = ""
                for cell in row:
                    line += cell + "|"
                lines.append(line)
            return lines
      `,
      lines: [6],
      message:
        "'line' is a string grown with += inside a loop (started at line 4): every iteration copies everything accumulated so far.",
    },
    {
      name: 'annotated, f-string and concatenated literals',
      code: `
        def f(xs, ys):
            a: str = f"{len(xs)}:"
            for x in xs:
                a += x
            b = "x" "y"
            for y in ys:
                b += y
            return a, b
      `,
      lines: [4, 7],
      message: [
        "'a' is a string grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
        "'b' is a string grown with += inside a loop (started at line 5): every iteration copies everything accumulated so far.",
      ],
    },
    {
      name: 'attribute buffer in a method',
      code: `
        class Conn:
            def fill(self, sock):
                self.buf = b""
                while len(self.buf) < 1024:
                    self.buf += sock.recv(256)
      `,
      message:
        "'self.buf' is a bytes grown with += inside a loop (started at line 3): every iteration copies everything accumulated so far.",
    },
    {
      name: 'module-level loop',
      code: `
        import sys
        out = ""
        for arg in sys.argv[1:]:
            out += arg + " "
        print(out)
      `,
      lines: [4],
      function: null,
      message:
        "'out' is a string grown with += inside a loop (started at line 2): every iteration copies everything accumulated so far.",
    },
  ],
});
