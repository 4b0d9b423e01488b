"""Kaggle's ``kaggle_secrets`` for the stand-in image, speaking the same protocol.

``UserSecretsClient().get_secret(NAME)`` posts ``{"Label": NAME}`` to
``$KAGGLE_URL_BASE/requests/GetUserSecretByLabelRequest`` with the bearer token of
``KAGGLE_USER_SECRETS_TOKEN`` in ``X-Kaggle-Authorization``, and returns ``result.secret``.
As in Kaggle's module, the client cannot be made without the token (CredentialError), an
unsuccessful answer raises BackendError with the service's answer in its message, and an
empty name raises ValidationError.
"""

import json
import os
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 40


class CredentialError(Exception):
    pass


class BackendError(Exception):
    pass


class ValidationError(Exception):
    pass


class UserSecretsClient:
    GET_USER_SECRET_BY_LABEL_ENDPOINT = "/requests/GetUserSecretByLabelRequest"

    def __init__(self):
        self.url_base = os.getenv("KAGGLE_URL_BASE") or "https://www.kaggle.com"
        token = os.getenv("KAGGLE_USER_SECRETS_TOKEN")
        if token is None:
            raise CredentialError(
                "A JWT Token is required to call Kaggle, but none found in environment "
                "variable KAGGLE_USER_SECRETS_TOKEN"
            )
        self.headers = {
            "Content-type": "application/json",
            "X-Kaggle-Authorization": f"Bearer {token}",
        }

    def _post(self, endpoint, body):
        request = urllib.request.Request(
            self.url_base + endpoint, headers=self.headers, data=json.dumps(body).encode()
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as e:
            if e.code in (401, 403):
                raise CredentialError(
                    f"Service responded with error code {e.code}. Please ensure you have "
                    "access to the resource."
                ) from e
            raise BackendError("Unexpected response from the service.") from e
        except urllib.error.URLError as e:
            raise ConnectionError("Connection error trying to communicate with service.") from e
        if not answer.get("wasSuccessful") or "result" not in answer:
            raise BackendError(f"Unexpected response from the service. Response: {answer}.")
        return answer["result"]

    def get_secret(self, label):
        if not label:
            raise ValidationError("Label must be non-empty.")
        result = self._post(self.GET_USER_SECRET_BY_LABEL_ENDPOINT, {"Label": label})
        if "secret" not in result:
            raise BackendError(f"Unexpected response from the service. Response: {result}")
        return result["secret"]
