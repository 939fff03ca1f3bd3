import os

from django.core.wsgi import get_wsgi_application

from config.startup import StartupRefused, exit_refused_worker, log_startup_warnings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
try:
    application = get_wsgi_application()
except StartupRefused as refusal:
    exit_refused_worker(refusal)
log_startup_warnings()
