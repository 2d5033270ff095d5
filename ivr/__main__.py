"""`python -m ivr`: serve the webhook on 127.0.0.1:$PORT."""
import logging

from careline.config import Settings
from ivr import create_app
from ivr.logging_setup import configure

configure()
settings = Settings.from_env()
app = create_app(settings)
logging.getLogger("werkzeug").setLevel(logging.WARNING)
try:
    from waitress import serve

    serve(app, host="127.0.0.1", port=settings.port, threads=16)
except ImportError:  # pragma: no cover
    app.run(host="127.0.0.1", port=settings.port, threaded=True)
