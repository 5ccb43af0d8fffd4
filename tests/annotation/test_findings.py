"""The detectors (annotation.findings): real formats flag, look-alikes do not."""

import pytest

from annotation.findings import (
    CREDENTIAL,
    PERSONAL,
    credential_messages,
    findings_scan,
    text_findings,
)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in text_findings(field="response", text=text)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Write to jane.doe@gmail.com today.", "email", "jane.doe@gmail.com"),
        ("Call +44 20 7946 0958 after six.", "phone", "+44 20 7946 0958"),
        ("Call (415) 555-2671 after six.", "phone", "(415) 555-2671"),
        ("Ring 020 7946 0958 from London.", "phone", "020 7946 0958"),
        ("Card 4111 1111 1111 1111 exp 12/29.", "card", "4111 1111 1111 1111"),
        ("Card 4111-1111-1111-1111.", "card", "4111-1111-1111-1111"),
        ("Amex 378282246310005 works.", "card", "378282246310005"),
        ("Pay to GB82 WEST 1234 5698 7654 32 by Friday.", "iban", "GB82 WEST 1234 5698 7654 32"),
        ("IBAN DE89370400440532013000.", "iban", "DE89370400440532013000"),
        ("Server at 8.8.8.8 answered.", "ip", "8.8.8.8"),
        ("Resolver 2606:4700:4700::1111 answered.", "ip", "2606:4700:4700::1111"),
    ],
)
def test_personal_data_in_real_formats(text, kind, value):
    assert found(text) == [(kind, value)]
    assert text_findings(field="response", text=text)[0].category == PERSONAL


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "aws_access_key", "AKIAIOSFODNN7EXAMPLE"),
        (
            "export GITHUB_TOKEN=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",
            "github_token",
            "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",
        ),
        (
            "SLACK=xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1",
            "slack_token",
            "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1",
        ),
        (
            "stripe.api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'",
            "stripe_access_key",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----",
            "private_key",
            "BEGIN RSA PRIVATE KEY",
        ),
        (
            "clone https://deploy:s3cr3tpass@git.example.org/x.git",
            "basic_auth_credentials",
            "://deploy:s3cr3tpass@",
        ),
    ],
)
def test_credentials_in_real_formats(text, kind, value):
    assert found(text) == [(kind, value)]
    assert text_findings(field="response", text=text)[0].category == CREDENTIAL


@pytest.mark.parametrize(
    "text",
    [
        "In 2023 the company grew by 12%.",
        "The ISBN is 978-3-16-148410-0 and the old one 0-306-40615-2.",
        "Upgrade to version 1.2.3 or 10.0.19045, or v1.2.3.4.",
        "The meeting is on 2023-10-05 at 10:30:00.",
        "Order 1234567890123456 shipped.",  # 16 digits, fails Luhn
        "Write to someone@example.com or admin@site.test.",
        "Loopback 127.0.0.1, home router 192.168.1.1, docs 192.0.2.10 and 2001:db8::1.",
        "pi is 3.14159265358979 and e is 2.718281828.",
        "AKIA is a prefix; ghp_ too; a token looks like xoxb-… in the docs.",
        "A password should be long: correct horse battery staple.",
    ],
)
def test_look_alikes_do_not_flag(text):
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Write to jane.doe\u00ad@gmail.com today.", "email", "jane.doe\u00ad@gmail.com"),
        ("Write to jane.doe\uff20gmail.com today.", "email", "jane.doe\uff20gmail.com"),
        ("Key AKIA\u00adIOSFODNN7EXAMPLE here.", "aws_access_key", "AKIA\u00adIOSFODNN7EXAMPLE"),
        ("Call \uff0b\uff14\uff14 20 7946 0958 today.", "phone", "\uff0b\uff14\uff14 20 7946 0958"),
        ("Call +44\u30fc20\u30fc7946\u30fc0958 today.", "phone", "+44\u30fc20\u30fc7946\u30fc0958"),
    ],
)
def test_disguised_personal_data_and_credentials_flag_where_written(text, kind, value):
    # Read as a reader sees it (NFKC, soft hyphens gone); the span is the written text's.
    assert found(text) == [(kind, value)]


def test_spans_and_positions_point_into_each_field():
    fields = {
        "instruction": "Who answers at +44 20 7946 0958?",
        "context": "",
        "response": "Nobody.\nMail bob@corp.co.uk, token 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",
    }
    findings = findings_scan(text_fields=fields)
    assert [(f.field, f.kind) for f in findings] == [
        ("instruction", "phone"),
        ("response", "email"),
        ("response", "github_token"),
    ]
    email = findings[1]
    assert fields["response"][email.start : email.end] == "bob@corp.co.uk"
    assert email.position(fields["response"]) == "line 2, column 6"


def test_a_card_number_is_not_also_a_phone_number():
    assert found("4111 1111 1111 1111") == [("card", "4111 1111 1111 1111")]


def test_refusal_names_kind_and_position_never_the_value():
    token = "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"
    fields = {"response": f"Use this:\n  {token}"}
    messages = credential_messages(findings=findings_scan(text_fields=fields), text_fields=fields)
    assert len(messages) == 1
    name, message = messages[0]
    assert name == "response"
    assert "GitHub Token" in message and "line 2, column 3" in message
    assert token not in message
