#!/usr/bin/env python3
"""Writes a contacts CSV for the benchmarks: N rows (default 1,000,000) of 10 columns:
email, first_name, last_name, status, company (custom text), score (custom number),
tag_a and tag_b (tag names), phone and city (not imported by Herald). Deterministic."""
import random
import sys
import unicodedata

FIRST = ["Ann", "Bob", "Chloé", "Dana", "Ed", "Fatima", "Gustav", "Hiro", "Ines", "Jonas",
         "Kai", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoe"]
LAST = ["Smith", "Jones", "Müller", "García", "Rossi", "Dubois", "Nowak", "Kim", "Chen",
        "Silva", "Novak", "Jensen", "Ivanova", "Okafor", "Haddad", "Tanaka", "Nguyen",
        "Larsen", "Kowalski", "Murphy"]
LAST += [f"{a}{b}" for a in ["Ash", "Birch", "Cedar", "Elm", "Fir", "Oak", "Pine", "Yew"]
         for b in ["wood", "field", "ford", "ley", "ton", "by", "dale", "well", "worth"]]
COMPANIES = [f"{a} {b}" for a in ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay",
             "Stark", "Wayne", "Wonka", "Tyrell", "Soylent", "Cyberdyne"]
             for b in ["Ltd", "GmbH", "Inc", "SA", "BV", "AB", "Oy", "SpA"]]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "corp.example"]
STATUSES = ["subscribed"] * 90 + ["unsubscribed"] * 6 + ["bounced"] * 3 + ["complained"]
CITIES = ["London", "Paris", "Berlin", "Madrid", "Rome", "Oslo", "Lisbon", "Vienna"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = open(sys.argv[2], "w", encoding="utf-8", newline="") if len(sys.argv) > 2 else sys.stdout
    rnd = random.Random(42)
    w = out.write
    w("email,first_name,last_name,status,company,score,tag_a,tag_b,phone,city\n")
    for i in range(n):
        first = rnd.choice(FIRST)
        last = rnd.choice(LAST)
        local = unicodedata.normalize("NFKD", f"{first}.{last}{i}".lower()).encode("ascii", "ignore").decode()
        email = f"{local}@{rnd.choice(DOMAINS)}"
        company = rnd.choice(COMPANIES)
        score = rnd.randint(0, 1000) / 10
        tag_a = f"segment-{rnd.randint(1, 20)}"
        tag_b = f"interest-{rnd.randint(1, 10)}" if rnd.random() < 0.7 else ""
        phone = f"+44 20 {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)}"
        w(f"{email},{first},{last},{rnd.choice(STATUSES)},\"{company}\",{score},{tag_a},{tag_b},{phone},{rnd.choice(CITIES)}\n")


if __name__ == "__main__":
    main()
