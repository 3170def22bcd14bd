"""Files in and out: scenarios, truths and verdicts (JSON), collections and environments,
cURL, HAR and Postman."""
