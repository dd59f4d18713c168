"""The bare Flask endpoint bench/pages.py compares the catalog pages against."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return "hello"
