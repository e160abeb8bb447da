"""idkarr: the integration hub of a self-hosted media-automation stack.

The Celery app is loaded by ``integrations.apps`` when Django starts (so that
``shared_task`` binds to it), not here: ``python -m idkarr.run`` stays small.
"""

__version__ = "0.1.0"
