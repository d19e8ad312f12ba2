"""Renders chat templates with Python Jinja2 set up as Hugging Face transformers does, the reference oracle.

Usage: python3 jinja2-render.py <input.json>
input.json: { "cases": { name: { "source": template, "variables": { ... } }, ... } }
stdout: { name: { "output": text } | { "error": message }, ... }

Differences from transformers: the sandbox allows list/dict mutation (templates such as Kimi's call append,
which llama.cpp allows too).
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import SandboxedEnvironment


class Generation(Extension):
    """transformers' AssistantTracker without the tracking: {% generation %} renders its body."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


env = SandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

with open(sys.argv[1], encoding="utf-8") as f:
    cases = json.load(f)["cases"]
results = {}
for name, case in cases.items():
    try:
        results[name] = {"output": env.from_string(case["source"]).render(**case["variables"])}
    except Exception as error:  # every failure is a result to compare, not a crash
        results[name] = {"error": f"{type(error).__name__}: {error}"}
sys.stdout.write(json.dumps(results))
