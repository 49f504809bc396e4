"""Recognise a digit with Python's requests: an upload, a base64 image, feedback.

    python3 docs/clients/predict.py http://localhost:8080 docs/examples/seven.png
"""
import base64
import sys

import requests

base, path = sys.argv[1], sys.argv[2]

# a multipart upload, as a form would send it
with open(path, "rb") as image:
    answer = requests.post(f"{base}/api/v1/predictions", files={"file": image}, timeout=10)
answer.raise_for_status()
prediction = answer.json()
print("upload:", prediction["digit"], round(prediction["probability"], 4), "version", prediction["model"]["version"])

# the same image as base64 in JSON, as a phone app would send it
with open(path, "rb") as image:
    encoded = base64.b64encode(image.read()).decode("ascii")
answer = requests.post(f"{base}/api/v1/predictions", json={"image": encoded}, timeout=10)
print("base64:", answer.json()["digit"])

# errors are problem+json: a person-readable detail and a stable type
blank = requests.post(f"{base}/api/v1/predictions", json={"pixels": [0] * 784}, timeout=10)
problem = blank.json()
print("blank:", blank.status_code, problem["type"], "-", problem["detail"])

# tell the service whether it was right (counted for the version that answered)
feedback = requests.post(f"{base}/api/v1/feedback", json={"token": prediction["feedbackToken"], "digit": 7}, timeout=10)
print("feedback:", feedback.json()["correct"])
