/** The call graph follows objects whose class the source plainly says (select/instance-types.ts). */
import { describe, expect, it } from 'vitest';
import { callGraphOf, reachableFrom } from '../../src/select/callgraph.js';
import { pythonParser } from '../../src/static/parse.js';
import { dedent } from '../rules/rule-table.js';

async function reach(files: Record<string, string>, from: string): Promise<string[]> {
  const sources = new Map(Object.entries(files).map(([file, text]) => [file, dedent(text)]));
  const graph = callGraphOf(await pythonParser(), sources);
  return [...reachableFrom(graph, from)].filter((id) => id !== from).sort();
}

const CLIENT = `
  import functools

  class Client:
      def __init__(self, base):
          self.base = base

      @functools.cache
      def file_contents(self, name):
          return open(name).read()

      def close(self):
          pass
`;

describe('calls on objects', () => {
  it('follows a method on a client built two lines earlier, across modules', async () => {
    const files = {
      'app/client.py': CLIENT,
      'app/views.py': `
        from .client import Client

        def show(name):
            client = Client("/srv")
            return client.file_contents(name)
      `,
    };
    expect(await reach(files, 'app/views.py:show')).toEqual([
      'app/client.py:Client.__init__',
      'app/client.py:Client.file_contents',
    ]);
  });

  it('follows self.attr set from a constructor in __init__, and methods of project bases', async () => {
    const files = {
      'app/repo.py': `
        class Base:
            def save(self, item):
                self.items.append(item)

        class Repo(Base):
            items = []
      `,
      'app/service.py': `
        from app import repo

        class Service:
            def __init__(self):
                self.repo = repo.Repo()

            def handle(self, item):
                self.repo.save(item)
      `,
    };
    expect(await reach(files, 'app/service.py:Service.handle')).toEqual(['app/repo.py:Base.save']);
  });

  it('follows module-level singletons, own and imported', async () => {
    const files = {
      'app/store.py': `
        class Store:
            def add(self, key):
                pass

        store = Store()

        def local_use(k):
            store.add(k)
      `,
      'app/views.py': `
        from app.store import store
        import app.store as s

        def put(k):
            store.add(k)

        def put_qualified(k):
            s.store.add(k)
      `,
    };
    expect(await reach(files, 'app/store.py:local_use')).toEqual(['app/store.py:Store.add']);
    expect(await reach(files, 'app/views.py:put')).toEqual(['app/store.py:Store.add']);
    expect(await reach(files, 'app/views.py:put_qualified')).toEqual(['app/store.py:Store.add']);
  });

  it("follows what a factory returns, also awaited, and a context manager's target", async () => {
    const files = {
      'app/client.py': CLIENT,
      'app/factory.py': `
        from .client import Client

        def make_client():
            return Client("/x")

        async def open_client():
            return make_client()
      `,
      'app/views.py': `
        from .factory import make_client, open_client
        from .client import Client

        def sync_view(n):
            c = make_client()
            c.file_contents(n)

        async def async_view(n):
            c = await open_client()
            c.close()

        def with_view(n):
            with Client("/y") as c:
                c.file_contents(n)
      `,
    };
    expect(await reach(files, 'app/views.py:sync_view')).toEqual([
      'app/client.py:Client.__init__',
      'app/client.py:Client.file_contents',
      'app/factory.py:make_client',
    ]);
    expect(await reach(files, 'app/views.py:async_view')).toContain('app/client.py:Client.close');
    expect(await reach(files, 'app/views.py:with_view')).toContain('app/client.py:Client.file_contents');
  });

  it('follows parameters and locals annotated with a project class', async () => {
    const files = {
      'app/client.py': CLIENT,
      'app/views.py': `
        from .client import Client

        def handler(client: Client, n):
            client.file_contents(n)

        def annotated(n):
            c: Client = lookup()
            c.close()
      `,
    };
    expect(await reach(files, 'app/views.py:handler')).toEqual(['app/client.py:Client.file_contents']);
    expect(await reach(files, 'app/views.py:annotated')).toEqual(['app/client.py:Client.close']);
  });

  it('invents no edge when the class is unknown or a local shadows the singleton', async () => {
    const files = {
      'app/client.py': CLIENT,
      'app/views.py': `
        import requests
        from .client import Client

        client = Client("/z")

        def external(u):
            session = requests.Session()
            session.close()

        def shadowed(u):
            client = requests.Session()
            client.close()

        def recursive():
            return recursive()

        def uses_recursive():
            x = recursive()
            x.close()
      `,
    };
    expect(await reach(files, 'app/views.py:external')).toEqual([]);
    expect(await reach(files, 'app/views.py:shadowed')).toEqual([]);
    expect(await reach(files, 'app/views.py:uses_recursive')).toEqual(['app/views.py:recursive']);
  });
});
