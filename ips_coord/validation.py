"""Rules for what users type that are shared by web forms, the API and the CLI."""

MIN_PASSWORD = 12


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"The password must have at least {MIN_PASSWORD} characters."
    if password.lower() == password or password.upper() == password or not any(c.isdigit() for c in password):
        return "The password must mix upper and lower case letters and contain a digit."
    return None
