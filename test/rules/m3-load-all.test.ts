import { loadAll } from '../../src/static/rules/m3-load-all.js';
import { ruleTable } from './rule-table.js';

ruleTable(loadAll, {
  valid: [
    {
      name: 'bounded read(n) loop',
      code: `
        import hashlib
        def digest(path):
            h = hashlib.sha256()
            with open(path, "rb") as f:
                while True:
                    chunk = f.read(4096)
                    if not chunk:
                        break
                    h.update(chunk)
            return h.hexdigest()
      `,
    },
    {
      name: 'iter(lambda: f.read(n), b"")',
      code: `
        def copy(src, dst):
            for chunk in iter(lambda: src.read(65536), b""):
                dst.write(chunk)
      `,
    },
    {
      name: 'small config parsed or returned whole',
      code: `
        import json, yaml
        def settings(path):
            with open(path) as f:
                return json.loads(f.read())
        def rules(path):
            with open(path) as f:
                return yaml.safe_load(f.read())
        def template(path):
            with open(path) as f:
                return f.read()
      `,
    },
    {
      name: 'iterating the file object itself',
      code: `
        def count_errors(path):
            with open(path) as f:
                return sum(1 for line in f if "ERROR" in line)
      `,
    },
    {
      name: 'one field out of a small /proc file',
      code: `
        def rss_kb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4
      `,
    },
    {
      name: 'querysets: iterator(), slices, count(), exists(), template context',
      code: `
        def export(request):
            for user in User.objects.all().iterator(chunk_size=1000):
                write(user)
            for user in User.objects.all()[:50]:
                write(user)
            n = User.objects.all().count()
            if Order.objects.all().exists():
                pass
            return render(request, "list.html", {"users": User.objects.all()})
      `,
    },
    {
      name: 'queryset rebound to a slice before the loop',
      code: `
        def recent(request):
            qs = Post.objects.all().order_by("-created")
            qs = qs[:20]
            return [p.title for p in qs]
      `,
    },
    {
      name: 'DRF class attribute queryset',
      code: `
        class UserViewSet(viewsets.ModelViewSet):
            queryset = User.objects.all()
            serializer_class = UserSerializer
      `,
    },
    {
      name: 'objects.filter() without all() is out of scope',
      code: `
        def active(request):
            return [u.id for u in User.objects.filter(active=True)]
      `,
    },
    {
      name: 'a readlines() wrapper delegating to the wrapped stream',
      code: `
        class InputWrapper:
            def readlines(self, *args):
                lines = self.input.readlines(*args)
                return [l for l in lines]
      `,
    },
    {
      name: 'module level, at import time',
      code: `
        WORDS = [w.strip() for w in open("words.txt").readlines()]
      `,
    },
  ],
  invalid: [
    {
      name: 'for line in f.readlines()',
      code: `
        def tail_errors(path):
            with open(path) as f:
                for line in f.readlines():
                    if "ERROR" in line:
                        print(line)
      `,
      lines: [3],
      message:
        'f.readlines() loads every line of the file into one list before the loop at line 3 uses it; iterate the file object instead.',
      function: 'tail_errors',
    },
    {
      name: 'data = f.read(); for x in data.split()',
      code: `
        def load_ids(path):
            with open(path) as f:
                data = f.read()
            ids = []
            for x in data.split("\\n"):
                ids.append(int(x))
            return ids
      `,
      lines: [3],
      message:
        'f.read() reads the whole file into one string that is split and walked at line 5; iterate the file object line by line instead.',
    },
    {
      name: 'f.read().splitlines() in a comprehension',
      code: `
        def hosts(path):
            with open(path) as f:
                return [h.strip() for h in f.read().splitlines() if h]
      `,
      message:
        'f.read() reads the whole file into one string that is split and walked at line 3; iterate the file object line by line instead.',
    },
    {
      name: 'lines = f.readlines() then a loop',
      code: `
        def parse(path):
            with open(path) as f:
                lines = f.readlines()
            out = {}
            for line in lines:
                k, v = line.split("=", 1)
                out[k] = v
            return out
      `,
      lines: [3],
      message:
        'f.readlines() loads every line of the file into one list before the loop at line 5 uses it; iterate the file object instead.',
    },
    {
      name: 'pathlib read_text().splitlines()',
      code: `
        from pathlib import Path
        def entries(p):
            for line in Path(p).read_text().splitlines():
                yield line.split(",")
      `,
      message:
        'Path(p).read_text() reads the whole file into one string that is split and walked at line 3; iterate the file object line by line instead.',
    },
    {
      name: 'uploaded CSV decoded and split in a Flask view',
      code: `
        import csv
        from flask import request
        def upload():
            content = request.files["file"].read().decode("utf-8")
            rows = list(csv.reader(content.splitlines()))
            return {"rows": len(rows)}
      `,
      message:
        'request.files["file"].read() reads the whole file into one string that is split and walked at line 5; iterate the file object line by line instead.',
    },
    {
      name: 'last N lines by slicing readlines()',
      code: `
        def last_lines(path, n=100):
            with open(path) as f:
                return f.readlines()[-n:]
      `,
      message:
        'f.readlines() loads every line of the file into one list before the loop at line 3 uses it; iterate the file object instead.',
    },
    {
      name: 'Django view iterating objects.all()',
      code: `
        from django.http import HttpResponse
        def export_csv(request):
            rows = []
            for order in Order.objects.all():
                rows.append(f"{order.id},{order.total}")
            return HttpResponse("\\n".join(rows))
      `,
      lines: [4],
      message: 'Iterating Order.objects.all() without .iterator() loads and caches every row at once.',
      function: 'export_csv',
    },
    {
      name: 'queryset chain bound to a name, then a comprehension',
      code: `
        def emails(request):
            qs = User.objects.all().filter(active=True).values_list("email", flat=True)
            return [e.lower() for e in qs]
      `,
      message: "Iterating 'qs' (User.objects.all()) without .iterator() loads and caches every row at once.",
    },
    {
      name: 'list() / len() over objects.all()',
      code: `
        def stats(request):
            users = list(User.objects.all())
            n = len(Order.objects.all())
            return users, n
      `,
      lines: [2, 3],
      message: [
        'Iterating User.objects.all() without .iterator() loads and caches every row at once.',
        'Iterating Order.objects.all() without .iterator() loads and caches every row at once.',
      ],
    },
    {
      name: 'urlopen response read and split',
      code: `
        from urllib.request import urlopen
        def feed(url):
            with urlopen(url) as r:
                body = r.read().decode()
            return [l for l in body.splitlines() if l.startswith("data:")]
      `,
      message:
        'r.read() reads the whole file into one string that is split and walked at line 5; iterate the file object line by line instead.',
    },
  ],
});
