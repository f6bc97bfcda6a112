"""A Flask app configured as flask-jwt-extended's documentation configures one for browsers
(tokens in cookies, CSRF double-submit), sharing this API's secret: the other side of
tests/e2e/flask-cookies.test.ts. Started by that test in its own virtualenv."""

import os

from flask import Flask, jsonify
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt_identity,
    jwt_required,
    set_access_cookies,
    set_refresh_cookies,
)

app = Flask(__name__)
app.config.update(
    JWT_SECRET_KEY=os.environ["JWT_SECRET"],
    JWT_TOKEN_LOCATION=["cookies"],
    JWT_COOKIE_SECURE=False,
    JWT_COOKIE_CSRF_PROTECT=True,
)
JWTManager(app)


@app.post("/flask/login")
def login():
    response = jsonify(login=True)
    set_access_cookies(response, create_access_token(identity="test", fresh=True))
    set_refresh_cookies(response, create_refresh_token(identity="test"))
    return response


@app.post("/flask/protected")
@jwt_required()
def protected():
    return jsonify(logged_in_as=get_jwt_identity())


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
