"""The one blueprint of the web app; its routes live in `views/`."""

from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")
