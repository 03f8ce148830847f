import { describe, expect, it } from 'vitest';
import { loggingHandlerDup } from '../../src/static/rules/r4-logging-handler-dup.js';
import { dedent, findingsFor, ruleTable } from './rule-table.js';

ruleTable(loggingHandlerDup, {
  valid: [
    {
      name: 'module-level call',
      code: 'import logging\nlogger = logging.getLogger(__name__)\nlogger.addHandler(logging.StreamHandler())\n',
    },
    {
      name: 'module-level call under __main__',
      code: 'import logging\nif __name__ == "__main__":\n    logging.getLogger().addHandler(logging.StreamHandler())\n',
    },
    {
      name: 'guarded by not logger.handlers',
      code: 'def get_logger(name):\n    logger = logging.getLogger(name)\n    if not logger.handlers:\n        logger.addHandler(logging.StreamHandler())\n    return logger\n',
    },
    {
      name: 'guarded by hasHandlers',
      code: 'def get_logger(name):\n    logger = logging.getLogger(name)\n    if not logger.hasHandlers():\n        logger.addHandler(h)\n    return logger\n',
    },
    {
      name: 'guarded by handler not in logger.handlers',
      code: 'def attach(logger):\n    if _handler not in logger.handlers:\n        logger.addHandler(_handler)\n',
    },
    {
      name: 'guarded by len(logger.handlers) == 0',
      code: 'def get_logger(name):\n    logger = logging.getLogger(name)\n    if len(logger.handlers) == 0:\n        logger.addHandler(h)\n    return logger\n',
    },
    {
      name: 'early return when handlers exist',
      code: 'def get_logger(name):\n    logger = logging.getLogger(name)\n    if logger.handlers:\n        return logger\n    logger.addHandler(h)\n    return logger\n',
    },
    {
      name: 'handlers cleared first',
      code: 'def configure(level):\n    root = logging.getLogger()\n    for h in list(root.handlers):\n        root.removeHandler(h)\n    root.addHandler(StreamHandler())\n',
    },
    {
      name: 'global run-once flag',
      code: '_configured = False\ndef setup_logging():\n    global _configured\n    if _configured:\n        return\n    logging.getLogger().addHandler(h)\n    _configured = True\n',
    },
    {
      name: 'registry of configured loggers',
      code: '_loggers = {}\ndef get_logger(name):\n    if name in _loggers:\n        return _loggers[name]\n    logger = logging.getLogger(name)\n    logger.addHandler(h)\n    _loggers[name] = logger\n    return logger\n',
    },
    {
      name: 'memoized factory runs once per name',
      code: 'import functools, logging\n@functools.lru_cache(maxsize=None)\ndef get_logger(name):\n    logger = logging.getLogger(name)\n    logger.addHandler(logging.StreamHandler())\n    return logger\n',
    },
    {
      name: 'a fresh Logger object per call',
      code: 'import logging\ndef job_logger(job_id):\n    logger = logging.Logger(f"job-{job_id}")\n    logger.addHandler(logging.NullHandler())\n    return logger\n',
    },
    {
      name: 'start-up hook',
      code: '@app.on_event("startup")\nasync def startup():\n    logging.getLogger().addHandler(h)\n',
    },
    {
      name: 'guarded by a helper that looks for a handler',
      code: 'def create_logger(app):\n    logger = logging.getLogger(app.name)\n    if not has_level_handler(logger):\n        logger.addHandler(default_handler)\n    return logger\n',
    },
    {
      name: 'lazily created handler attached once',
      code: 'class Audit:\n    def log(self, msg):\n        if self._handler is None:\n            self._handler = logging.FileHandler("audit.log")\n            self.logger.addHandler(self._handler)\n        self.logger.info(msg)\n',
    },
    {
      name: 'temporary handler removed again',
      code: 'def detect(data, explain=False):\n    if explain:\n        logger.addHandler(explain_handler)\n    try:\n        return run(data)\n    finally:\n        if explain:\n            logger.removeHandler(explain_handler)\n',
    },
    {
      name: 'a different method name',
      code: 'def build(opener):\n    opener.add_handler(h)\n    logger.addFilter(f)\n',
    },
    {
      name: 'dictConfig() first removes the root handlers it will add again (issue 12)',
      code: `
        import logging
        import logging.config
        from logging.config import fileConfig
        def reload_logging(cfg):
            logging.config.dictConfig(cfg)
            logging.getLogger().addHandler(logging.StreamHandler())
        def reload_from_file(path):
            fileConfig(path)
            root = logging.getLogger()
            root.addHandler(logging.FileHandler("x.log"))
            logging.root.addHandler(logging.StreamHandler())
      `,
    },
  ],
  invalid: [
    {
      code: 'import logging\ndef get_logger(name):\n    logger = logging.getLogger(name)\n    logger.addHandler(logging.StreamHandler())\n    return logger\n',
      lines: [4],
      message:
        'logger.addHandler(logging.StreamHandler()) in get_logger() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
      function: 'get_logger',
    },
    {
      name: 'in a request handler',
      code: '@app.route("/")\ndef index():\n    logging.getLogger("app").addHandler(logging.FileHandler("app.log"))\n    return "ok"\n',
      lines: [3],
      message:
        'logging.getLogger("app").addHandler(logging.FileHandler("app.log")) in index() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'in a method',
      code: 'class Service:\n    def handle(self, req):\n        self.logger.addHandler(h)\n',
      lines: [3],
      function: 'Service.handle',
      message:
        'self.logger.addHandler(h) in Service.handle() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'in __init__ (per instance)',
      code: 'class Client:\n    def __init__(self):\n        self.log = logging.getLogger("client")\n        self.log.addHandler(logging.StreamHandler())\n',
      lines: [4],
      message:
        'self.log.addHandler(logging.StreamHandler()) in Client.__init__() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'async function',
      code: 'async def handle(request):\n    log = logging.getLogger(__name__)\n    log.addHandler(handler)\n',
      lines: [3],
      message:
        'log.addHandler(handler) in handle() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'a guard on something else does not count',
      code: 'def log_event(event):\n    if not event:\n        return\n    logger = logging.getLogger("events")\n    logger.addHandler(logging.StreamHandler())\n    logger.info(event)\n',
      lines: [5],
      message:
        'logger.addHandler(logging.StreamHandler()) in log_event() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'handlers inspected only after the call',
      code: 'def attach(logger):\n    logger.addHandler(h)\n    return len(logger.handlers)\n',
      lines: [2],
      message:
        'logger.addHandler(h) in attach() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'setup function called once at import: low confidence but reported',
      code: 'import logging\ndef setup_logging():\n    logging.getLogger().addHandler(logging.StreamHandler())\nsetup_logging()\n',
      lines: [3],
      message:
        'logging.getLogger().addHandler(logging.StreamHandler()) in setup_logging() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'a condition on the handler kind is not a guard',
      code: 'def add_output(kind):\n    if kind == "file" or handler_type == "file":\n        logging.getLogger().addHandler(logging.FileHandler("x.log"))\n',
      lines: [3],
      message:
        'logging.getLogger().addHandler(logging.FileHandler("x.log")) in add_output() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'in a lambda',
      code: 'attach = lambda logger: logger.addHandler(h)\n',
      lines: [1],
      function: null,
      message:
        'logger.addHandler(h) in a lambda attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'nested function',
      code: 'def make_app():\n    def on_request():\n        logging.getLogger().addHandler(h)\n    return on_request\n',
      lines: [3],
      function: 'make_app.on_request',
      message:
        'logging.getLogger().addHandler(h) in make_app.on_request() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'dictConfig() after the addHandler does not reset it',
      code: `
        import logging, logging.config
        def reload_logging(cfg):
            logging.getLogger().addHandler(logging.StreamHandler())
            logging.config.dictConfig(cfg)
      `,
      lines: [3],
      message:
        'logging.getLogger().addHandler(logging.StreamHandler()) in reload_logging() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive.',
    },
    {
      name: 'dictConfig() first, then a named logger: low confidence, said why',
      code: `
        import logging, logging.config
        def reload_logging(cfg):
            logging.config.dictConfig(cfg)
            logging.getLogger("app").addHandler(logging.StreamHandler())
      `,
      lines: [4],
      message:
        'logging.getLogger("app").addHandler(logging.StreamHandler()) in reload_logging() attaches another handler on every call: log lines repeat once per call so far and each handler (with its stream or file) stays alive. A logging.config call earlier in the function resets the loggers its configuration names: if it names this one, nothing accumulates.',
    },
  ],
});

describe('R4 confidence', () => {
  const confidenceOf = async (code: string) =>
    (await findingsFor(loggingHandlerDup, dedent(code))).map((f) => f.confidence);

  it('is high in a per-request helper', async () => {
    expect(await confidenceOf('def get_logger(n):\n    logging.getLogger(n).addHandler(h)\n')).toEqual([
      'high',
    ]);
  });
  it('is medium in setup/configure/create_app/main/__init__', async () => {
    expect(
      await confidenceOf(
        'def setup_logging():\n    root.addHandler(h)\ndef create_app():\n    root.addHandler(h)\nclass A:\n    def __init__(self):\n        root.addHandler(h)\n',
      ),
    ).toEqual(['medium', 'medium', 'medium']);
  });
  it('is low when the module only calls the function at import time', async () => {
    expect(
      await confidenceOf(
        'def boot():\n    root.addHandler(h)\nboot()\nif __name__ == "__main__":\n    boot()\n',
      ),
    ).toEqual(['low']);
  });
});
