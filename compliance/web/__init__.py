"""The local web app (`compliance serve`): upload -> background check -> result page with a 3D view;
the reviewer's queue, history, diff and sign-off; the rule browser and the district dashboard.

It sits after the report stage: it calls the same pipeline, registry and reporters as the CLI and
adds no rules of its own. Modules are imported when the app starts, never by the CLI's other commands.
"""
