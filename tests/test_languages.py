"""Résumés in German, French, Spanish, Portuguese and Dutch: their headings are found, their dates read, and the
parser (the real models) gives experience entries with the right dates and the detected language."""

from __future__ import annotations

from datetime import date

import pytest

from config.settings import Settings
from workers import registry
from workers.resume.dates import find_date_ranges
from workers.resume.parser import ResumeParser
from workers.resume.sections import Segment, find_sections, segments

TODAY = date(2024, 6, 1)
RESUMES = {
    "de": """Lena Schmidt
Berlin | lena.schmidt@example.de | +49 30 1234567

Profil
Softwareentwicklerin mit acht Jahren Erfahrung in Backend-Systemen und Datenplattformen.

Berufserfahrung
Senior Softwareentwicklerin, Zalando SE, Berlin
Januar 2019 – heute
Entwicklung von Zahlungsdiensten mit Python und Kafka.
Softwareentwicklerin, SAP SE, Walldorf
Mai 2015 - Okt. 2018
Wartung von Schnittstellen für Kunden im Mittelstand.

Ausbildung
M.Sc. Informatik, Technische Universität München, 2015

Kenntnisse
Python, Java, PostgreSQL, Kubernetes

Sprachen
Deutsch (Muttersprache), Englisch (fließend)
""",
    "fr": """Camille Laurent
Lyon | camille.laurent@example.fr | +33 4 72 00 00 00

Profil professionnel
Analyste de données qui aime transformer des chiffres en décisions pour les équipes commerciales.

Expérience professionnelle
Analyste de données senior, Société Générale, Paris
janv. 2020 – aujourd'hui
Tableaux de bord de risque de crédit avec SQL et Power BI.
Analyste de données, Decathlon, Lille
mars 2016 à déc. 2019
Prévisions des ventes par magasin et par saison.

Formation
Master en statistique, Université Lyon 1, 2016

Compétences
SQL, Python, Power BI, statistiques

Langues
Français (langue maternelle), anglais (courant)
""",
    "es": """Sofía Marín
Madrid | sofia.marin@example.es | +34 91 123 45 67

Perfil profesional
Ingeniera de software con experiencia en comercio electrónico y sistemas de pago en la nube.

Experiencia laboral
Ingeniera de software sénior, Cabify, Madrid
marzo 2018 - actualidad
Diseño de servicios de pago con Go y PostgreSQL.
Desarrolladora backend, Telefónica, Barcelona
sept. 2014 - feb. 2018
Desarrollo de APIs internas para la facturación de clientes.

Educación
Grado en Ingeniería Informática, Universidad Politécnica de Madrid, 2014

Habilidades
Go, Python, PostgreSQL, Docker

Idiomas
Español (nativo), inglés (avanzado)
""",
    "pt": """Rafael Souza
São Paulo | rafael.souza@example.com.br | +55 11 91234-5678

Resumo
Gerente de produto com foco em produtos digitais para bancos e clientes de varejo.

Experiência profissional
Gerente de produto, Nubank, São Paulo
set. 2019 - atual
Lançamento do cartão de crédito para pequenas empresas.
Analista de produto, Itaú Unibanco, São Paulo
fevereiro 2015 a agosto 2019
Pesquisa com clientes e definição de requisitos para o aplicativo.

Formação acadêmica
Bacharelado em Administração, Universidade de São Paulo, 2014

Competências
Gestão de produto, SQL, pesquisa com usuários

Idiomas
Português (nativo), inglês (fluente)
""",
    "nl": """Daan de Vries
Utrecht | daan.devries@example.nl | +31 30 123 4567

Profiel
Data-engineer die betrouwbare datapijplijnen bouwt voor webwinkels en logistieke bedrijven.

Werkervaring
Senior data-engineer, Bol.com, Utrecht
maart 2020 - heden
Bouw van datapijplijnen met Python, Spark en Airflow.
Data-engineer, ING, Amsterdam
mei 2016 - feb. 2020
Rapportages voor risicobeheer en toezichthouders.

Opleiding
MSc Informatica, Universiteit Utrecht, 2016

Vaardigheden
Python, Spark, SQL, Airflow

Talen
Nederlands (moedertaal), Engels (vloeiend)
""",
}
EXPECTED_DATES = {
    "de": [(date(2019, 1, 1), None), (date(2015, 5, 1), date(2018, 10, 1))],
    "fr": [(date(2020, 1, 1), None), (date(2016, 3, 1), date(2019, 12, 1))],
    "es": [(date(2018, 3, 1), None), (date(2014, 9, 1), date(2018, 2, 1))],
    "pt": [(date(2019, 9, 1), None), (date(2015, 2, 1), date(2019, 8, 1))],
    "nl": [(date(2020, 3, 1), None), (date(2016, 5, 1), date(2020, 2, 1))],
}

COMPANIES = {
    "de": ["Zalando SE", "SAP SE"],
    "fr": ["Société Générale", "Decathlon"],
    "es": ["Cabify", "Telefónica"],
    "pt": ["Nubank", "Itaú Unibanco"],
    "nl": ["Bol.com", "ING"],
}


@pytest.fixture(scope="module")
def parser() -> ResumeParser:
    return registry.resume_parser(Settings())


@pytest.mark.parametrize("language", sorted(RESUMES))
def test_dates_in_each_language(language: str) -> None:
    found = [(r.start, r.end) for r in find_date_ranges(RESUMES[language])]
    assert found == EXPECTED_DATES[language]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Mai 2015 - Okt 2018", date(2015, 5, 1), date(2018, 10, 1)),
        ("01.03.2019 – 31.12.2021", date(2019, 3, 1), date(2021, 12, 1)),
        ("seit März 2021", date(2021, 3, 1), None),
        ("depuis mars 2020", date(2020, 3, 1), None),
        ("enero de 2015 - diciembre de 2017", date(2015, 1, 1), date(2017, 12, 1)),
        ("desde junio 2019", date(2019, 6, 1), None),
        ("jan. 2012 até o momento", date(2012, 1, 1), None),
        ("mrt 2011 tot heden", date(2011, 3, 1), None),
        ("févr. 2010 – juil. 2012", date(2010, 2, 1), date(2012, 7, 1)),
    ],
)
def test_other_date_forms(text: str, start: date, end: date | None) -> None:
    (found,) = find_date_ranges(text)
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize("language", sorted(RESUMES))
def test_headings_in_each_language(language: str, encoder) -> None:
    text = RESUMES[language]
    kinds = [s.kind for s in find_sections(text, segments(text), encoder) if s.kind != "header"]
    assert kinds == ["summary", "experience", "education", "skills", "languages"]


def test_accented_heading_keeps_offsets(encoder) -> None:
    text = "Name\nEXPÉRIENCE PROFESSIONNELLE\nIngénieure"
    (section,) = [s for s in find_sections(text, [Segment(5, 31, text[5:31])], encoder) if s.kind != "header"]
    assert (section.kind, section.heading) == ("experience", "EXPÉRIENCE PROFESSIONNELLE")


def test_each_language_parses_into_dated_entries(parser: ResumeParser) -> None:
    languages = sorted(RESUMES)
    parsed_all = parser.parse_many([RESUMES[lang] for lang in languages], today=TODAY)
    for language, parsed in zip(languages, parsed_all, strict=True):
        dates = [(job.start, job.end) for job in parsed.experience]
        assert dates == [(_month(a), _month(b)) for a, b in EXPECTED_DATES[language]], language
        companies = [job.company.value if job.company else None for job in parsed.experience]
        assert companies == COMPANIES[language], language
        assert parsed.language == language
        assert parsed.years_experience and parsed.years_experience > 7, language


def _month(day: date | None) -> str | None:
    return f"{day:%Y-%m}" if day else None
