import { describe, expect, it } from 'vitest';
import { threadInRequest } from '../../src/static/rules/r5-thread-in-request.js';
import { dedent, findingsFor, ruleTable } from './rule-table.js';

/**
 * Threads real code starts per call that cannot pile up (issue 12): reported with low confidence, so
 * they are never HIGH. [name, code, line of the thread, why].
 */
const BOUNDED_BY_DESIGN: [string, string, number, string, string][] = [
  [
    'a run-once guard returns while the thread is alive',
    'import threading\nclass Poller:\n    def start(self):\n        if self._thread and self._thread.is_alive():\n            return\n        self._thread = threading.Thread(target=self.loop)\n        self._thread.start()\n',
    6,
    'a guard returns early while one is already running',
    'Poller.start',
  ],
  [
    // sopel's job scheduler marks a job running before its thread starts, and skips running jobs.
    'an in-flight flag raised before the thread',
    'import threading\nclass Scheduler:\n    def run_job(self, job):\n        job.is_running.set()\n        t = threading.Thread(target=self.call, args=(job,))\n        t.start()\n',
    5,
    'an in-flight flag is raised before it starts',
    'Scheduler.run_job',
  ],
  [
    'a debounce cancels the previous timer first',
    'import threading\nclass Saver:\n    def touch(self):\n        self._timer.cancel()\n        self._timer = threading.Thread(target=self.save)\n        self._timer.start()\n',
    5,
    'the previous one is cancelled first',
    'Saver.touch',
  ],
  [
    // errbot's webserver plugin refuses to start a second server thread.
    'a run-once guard raises while the thread is alive',
    'import threading\nclass Webserver:\n    def activate(self):\n        if self.server_thread and self.server_thread.is_alive():\n            raise Exception("already running")\n        self.server_thread = threading.Thread(target=self.run_server)\n        self.server_thread.start()\n',
    6,
    'a guard returns early while one is already running',
    'Webserver.activate',
  ],
  [
    // errbot's plugin poller: the timer's target schedules the next timer.
    'a timer that reschedules itself',
    'import threading\nclass Plugin:\n    def program_next_poll(self, interval):\n        t = threading.Thread(target=self.poller, kwargs={"interval": interval})\n        t.start()\n    def poller(self, interval):\n        self.poll()\n        self.program_next_poll(interval)\n',
    4,
    'it reschedules itself from its own target: one is alive at a time',
    'Plugin.program_next_poll',
  ],
  [
    'the thread is returned to the caller',
    'import threading\ndef spawn(fn):\n    t = threading.Thread(target=fn, daemon=True)\n    t.start()\n    return t\n',
    3,
    'the thread is returned to the caller, who owns it',
    'spawn',
  ],
];

ruleTable(threadInRequest, {
  valid: [
    {
      name: 'module-level thread',
      code: 'import threading\nworker = threading.Thread(target=loop, daemon=True)\nworker.start()\n',
    },
    {
      name: 'module-level under __main__',
      code: 'from threading import Thread\nif __name__ == "__main__":\n    Thread(target=serve).start()\n',
    },
    {
      name: 'ThreadPoolExecutor and submit',
      code: 'from concurrent.futures import ThreadPoolExecutor\nexecutor = ThreadPoolExecutor(max_workers=4)\ndef handle(f):\n    executor.submit(process, f)\n',
    },
    {
      name: "pool created in a function is another rule's business",
      code: 'from concurrent.futures import ThreadPoolExecutor\ndef handle(items):\n    with ThreadPoolExecutor(4) as pool:\n        return list(pool.map(work, items))\n',
    },
    {
      name: 'run_in_executor',
      code: 'import asyncio\nasync def handle(x):\n    loop = asyncio.get_running_loop()\n    return await loop.run_in_executor(None, work, x)\n',
    },
    {
      name: 'a model called Thread is not threading.Thread',
      code: 'from forum.models import Thread\ndef create(title):\n    return Thread(title=title)\n',
    },
    {
      name: 'a class body runs once',
      code: 'import threading\nclass Service:\n    lock = threading.Lock()\n    t = threading.Thread(target=print)\n',
    },
    {
      name: 'calling Thread.__init__ in a subclass',
      code: 'import threading\nclass W(threading.Thread):\n    def __init__(self):\n        threading.Thread.__init__(self, daemon=True)\n',
    },
    {
      name: 'dummy_threading fallback imported in a try block',
      code: 'try:\n    import threading\nexcept ImportError:\n    import dummy_threading as threading\nclass L:\n    def prepare(self):\n        t = threading.Thread(target=self.fetch)\n        t.start()\n',
    },
    {
      name: 'multiprocessing pools and asyncio tasks',
      code: 'import asyncio, multiprocessing\nasync def handle(x):\n    asyncio.create_task(work(x))\ndef batch(xs):\n    with multiprocessing.Pool(2) as p:\n        return p.map(work, xs)\n',
    },
  ],
  invalid: [
    ...BOUNDED_BY_DESIGN.map(([name, code, line, why, where]) => ({
      name,
      code,
      lines: [line],
      message: `threading.Thread(...) created in ${where}(): a new OS thread per call, but bounded by design: ${why}.`,
    })),
    {
      code: 'import threading\ndef handle_upload(file):\n    t = threading.Thread(target=process, args=(file,))\n    t.start()\n',
      lines: [3],
      message:
        'threading.Thread(...) created in handle_upload(): one new OS thread per call, with nothing bounding how many run at once.',
      function: 'handle_upload',
    },
    {
      name: 'from-import',
      code: 'from threading import Thread\n@app.route("/send")\ndef send():\n    Thread(target=mail, daemon=True).start()\n    return "ok"\n',
      lines: [4],
      message:
        'Thread(...) created in send(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'import alias',
      code: 'from threading import Thread as Worker\nasync def handle(req):\n    Worker(target=job).start()\n',
      lines: [3],
      message:
        'Worker(...) created in handle(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'module alias',
      code: 'import threading as th\ndef handle(req):\n    th.Thread(target=job).start()\n',
      lines: [3],
      message:
        'th.Thread(...) created in handle(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'Timer is a thread',
      code: 'import threading\ndef remember(key):\n    threading.Timer(60, forget, args=(key,)).start()\n',
      lines: [3],
      message:
        'threading.Timer(...) created in remember(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'own Thread subclass',
      code: 'import threading\nclass Poller(threading.Thread):\n    def run(self):\n        pass\n\ndef subscribe(feed):\n    Poller().start()\n',
      lines: [7],
      message:
        'Poller(...) (a threading.Thread subclass) created in subscribe(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'in a method',
      code: 'import threading\nclass Api:\n    def post(self, req):\n        threading.Thread(target=self.work).start()\n',
      lines: [4],
      function: 'Api.post',
      message:
        'threading.Thread(...) created in Api.post(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'in a lambda',
      code: 'import threading\nspawn = lambda f: threading.Thread(target=f).start()\n',
      lines: [2],
      function: null,
      message:
        'threading.Thread(...) created in a lambda: one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'import inside a try block',
      code: 'try:\n    from threading import Thread as T\nexcept ImportError:\n    raise\ndef handle(x):\n    T(target=work).start()\n',
      lines: [6],
      message:
        'T(...) created in handle(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: '_thread.start_new_thread',
      code: 'import _thread\ndef handle(x):\n    _thread.start_new_thread(work, (x,))\n',
      lines: [3],
      message:
        '_thread.start_new_thread(...) created in handle(): one new OS thread per call, with nothing bounding how many run at once.',
    },
    {
      name: 'in __init__ (medium confidence)',
      code: 'import threading\nclass Watcher:\n    def __init__(self):\n        self._t = threading.Thread(target=self._loop, daemon=True)\n        self._t.start()\n',
      lines: [4],
      message:
        'threading.Thread(...) created in Watcher.__init__(): every call of __init__() starts another thread; fine if it runs once per process, a leak if it runs per request or per object.',
    },
    {
      name: 'joined before returning (low confidence)',
      code: 'import threading\ndef fetch_all(urls):\n    threads = [threading.Thread(target=get, args=(u,)) for u in urls]\n    for t in threads:\n        t.start()\n    for t in threads:\n        t.join()\n',
      lines: [3],
      message:
        'threading.Thread(...) created in fetch_all(): one new OS thread per call (joined before the function returns, so they do not pile up).',
    },
  ],
});

describe('R5 confidence', () => {
  const confidenceOf = async (code: string) =>
    (await findingsFor(threadInRequest, dedent(code))).map((f) => f.confidence);

  it('is high in an ordinary function', async () => {
    expect(
      await confidenceOf('import threading\ndef handle(x):\n    threading.Thread(target=work).start()\n'),
    ).toEqual(['high']);
  });
  it('is medium in __init__, main and start methods', async () => {
    expect(
      await confidenceOf(
        'import threading\nclass W:\n    def __init__(self):\n        threading.Thread(target=a).start()\n    def start(self):\n        threading.Thread(target=b).start()\n',
      ),
    ).toEqual(['medium', 'medium']);
  });
  it('is low when joined or when the function only runs at import time', async () => {
    expect(
      await confidenceOf(
        'import threading\ndef both():\n    t = threading.Thread(target=a)\n    t.start()\n    t.join(5)\ndef boot():\n    threading.Thread(target=a).start()\nboot()\n',
      ),
    ).toEqual(['low', 'low']);
  });
});

describe('R5 threads bounded by design', () => {
  it.each(BOUNDED_BY_DESIGN)('%s: low confidence', async (_name, code) => {
    const findings = await findingsFor(threadInRequest, code);
    expect(findings.map((f) => f.confidence)).toEqual(['low']);
  });
});
