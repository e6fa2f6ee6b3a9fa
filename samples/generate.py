"""Generate the sample input shipped in ``samples/`` so that a first ``talentq run`` has realistic data.

The parser, scorer and sentiment workers need varied input to show what they do before a user points
them at real HR data: résumés in every supported format (PDF, DOCX, TXT) and in several layouts, job
postings to score them against, an applications mapping, and free-text comments. Everything is
fictional: names are invented, addresses use example.com / example.org, and phone numbers come from
ranges reserved for fiction (NANP NPA-555-01xx, UK 07700 900xxx, France 06 39 98 xx xx) or, in two
cases, the unassigned 555 area code. Companies are invented; universities are real institutions, named
only so that education entries look natural.

The output is deterministic: PDFs are written with reportlab's ``invariant`` mode and DOCX archives are
re-zipped with fixed timestamps, so re-running this script produces no diff.

Run from the repository root::

    python samples/generate.py
"""

from __future__ import annotations

import csv
import io
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt, RGBColor
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

rl_config.invariant = 1  # fixed creation date and document ID: byte-stable PDFs

SAMPLES_DIR = Path(__file__).resolve().parent
RESUMES_DIR = SAMPLES_DIR / "resumes"
POSTINGS_DIR = SAMPLES_DIR / "postings"
FIXED_TIME = datetime(2025, 1, 6, 9, 0, 0)
ZIP_TIME = (2025, 1, 6, 9, 0, 0)


# --------------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    title: str
    company: str
    location: str
    dates: str
    bullets: tuple[str, ...]


@dataclass(frozen=True)
class Degree:
    degree: str
    field: str
    institution: str
    year: str
    note: str = ""


HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        "summary": "Summary",
        "experience": "Experience",
        "education": "Education",
        "skills": "Skills",
        "certifications": "Certifications",
        "languages": "Languages",
        "projects": "Projects",
        "contact": "Contact",
    },
    "fr": {
        "summary": "Profil",
        "experience": "Expérience professionnelle",
        "education": "Formation",
        "skills": "Compétences",
        "certifications": "Certifications",
        "languages": "Langues",
        "projects": "Projets",
        "contact": "Contact",
    },
}


@dataclass(frozen=True)
class Resume:
    number: int
    slug: str
    layout: str
    posting: str
    fit: str  # "strong", "partial" or "weak" against ``posting``; documentation only, not written out
    name: str
    headline: str
    email: str
    phone: str
    location: str
    links: tuple[str, ...]
    summary: str
    experience: tuple[Job, ...]
    education: tuple[Degree, ...]
    skills: tuple[str, ...]
    certifications: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    lang: str = "en"
    a4: bool = False
    heading_overrides: tuple[tuple[str, str], ...] = ()

    @property
    def extension(self) -> str:
        return self.layout.split("_", 1)[0]

    @property
    def filename(self) -> str:
        return f"{self.number:02d}-{self.slug}.{self.extension}"

    def heading(self, key: str) -> str:
        return dict(self.heading_overrides).get(key, HEADINGS[self.lang][key])

    def contact_items(self) -> list[str]:
        return [self.email, self.phone, self.location, *self.links]


# --------------------------------------------------------------------------------------------------
# Content: job postings
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Posting:
    slug: str
    title: str
    company: str
    location: str
    description: str
    requirements: tuple[str, ...]
    nice_to_have: tuple[str, ...]


POSTINGS: tuple[Posting, ...] = (
    Posting(
        slug="backend-python-engineer",
        title="Senior Backend Python Engineer",
        company="Quarry Analytics",
        location="London, UK (hybrid) or remote within UK/EU time zones · Full-time",
        description=(
            "Quarry Analytics builds the reconciliation platform that mid-sized retailers use to match millions of "
            "payments, refunds and invoices every night. We are looking for a senior backend engineer to own core "
            "services in our Python stack: designing APIs, scaling our asynchronous job pipeline, keeping PostgreSQL "
            "fast as data volumes grow, and helping the team ship safely several times a day. You will work closely "
            "with product and data engineering and mentor two mid-level engineers."
        ),
        requirements=(
            "5+ years of professional experience building backend services in Python",
            "Strong experience with Django or FastAPI and designing REST APIs",
            "Solid PostgreSQL skills: schema design, query tuning, migrations",
            "Experience with Redis and asynchronous task queues such as Celery",
            "Comfortable with Docker and CI/CD pipelines",
            "Bachelor's degree in Computer Science or related field, or equivalent practical experience",
        ),
        nice_to_have=(
            "Kubernetes and Helm in production",
            "AWS and infrastructure as code (Terraform)",
            "Event streaming with Kafka",
            "Observability with Prometheus and Grafana",
            "Experience mentoring engineers or leading a small team",
        ),
    ),
    Posting(
        slug="data-scientist",
        title="Data Scientist",
        company="Lumen Health Analytics",
        location="Chicago, IL, USA (hybrid, 2 days a week in office) · Full-time",
        description=(
            "Lumen Health Analytics helps hospital networks predict patient demand and reduce readmissions. As a "
            "Data Scientist on the Clinical Insights team you will build, validate and deploy machine learning "
            "models on claims and clinical-notes data, design experiments with our product team, and explain "
            "results clearly to clinicians and executives. You will own models end to end, from SQL exploration "
            "to monitored production services."
        ),
        requirements=(
            "3+ years of experience applying machine learning or statistical modelling in industry",
            "Strong Python skills (pandas, NumPy, scikit-learn) and advanced SQL",
            "Solid grounding in statistics, hypothesis testing and experiment design (A/B testing)",
            "Experience taking models to production and monitoring them",
            "Master's degree in Statistics, Computer Science, Mathematics or a related quantitative field, "
            "or a Bachelor's degree with equivalent experience",
        ),
        nice_to_have=(
            "Deep learning with PyTorch, especially NLP and transformer models",
            "Spark or other distributed data processing",
            "MLflow or a similar model-management tool",
            "Experience with healthcare or insurance data",
        ),
    ),
    Posting(
        slug="hr-generalist",
        title="HR Generalist",
        company="Brightwater Logistics",
        location="Manchester, UK (hybrid) · Full-time, permanent",
        description=(
            "Brightwater Logistics employs 1,200 people across four distribution centres in the North West. We are "
            "looking for an HR Generalist to support managers across the full employee lifecycle: recruitment and "
            "onboarding, employee relations casework, absence management, policy updates and payroll coordination. "
            "You will be the first point of contact for two sites and will help us roll out Workday across the "
            "business next year."
        ),
        requirements=(
            "3+ years of experience in an HR generalist or HR advisor role",
            "Confident handling employee relations cases: disciplinaries, grievances, absence management",
            "Good working knowledge of UK employment law",
            "Experience with an HRIS such as Workday or BambooHR",
            "Experience coordinating onboarding and monthly payroll inputs",
            "Bachelor's degree in Human Resources, Business Administration or related field",
            "CIPD Level 5 qualification, or currently working towards it",
        ),
        nice_to_have=(
            "Experience supporting an HRIS implementation",
            "HR reporting and analytics in Excel or Power BI",
            "Experience in logistics, manufacturing or multi-site organisations",
            "A second language (Polish or Romanian would be particularly useful)",
        ),
    ),
    Posting(
        slug="account-executive",
        title="Account Executive (Mid-Market SaaS)",
        company="Cobalt Cloud Software",
        location="Austin, TX, USA (on-site, with travel up to 20%) · Full-time",
        description=(
            "Cobalt Cloud Software sells workforce-planning software to companies with 200 to 2,000 employees. Our "
            "Account Executives run the full sales cycle, from discovery through negotiation and close, for "
            "mid-market prospects in North America. You will work inbound and SDR-sourced opportunities, build "
            "your own pipeline, and partner with Solutions Engineering and Customer Success to land and expand "
            "accounts. Average deal size is around $60k ARR."
        ),
        requirements=(
            "2+ years of experience as a quota-carrying Account Executive in B2B SaaS",
            "Proven track record of meeting or exceeding quota",
            "Experience running full-cycle sales: prospecting, discovery, demos, negotiation and closing",
            "Proficiency with Salesforce and disciplined pipeline management and forecasting",
            "Bachelor's degree in Business, Marketing or related field",
        ),
        nice_to_have=(
            "Familiarity with MEDDIC or a similar qualification framework",
            "Experience with HubSpot, Outreach or Gong",
            "Experience selling HR or workforce software",
            "Spanish language skills",
        ),
    ),
)


# --------------------------------------------------------------------------------------------------
# Content: résumés
# --------------------------------------------------------------------------------------------------

RESUMES: tuple[Resume, ...] = (
    Resume(
        number=1,
        slug="amara-okafor",
        layout="pdf_two_column",
        posting="backend-python-engineer",
        fit="strong",
        name="Amara Okafor",
        headline="Staff Backend Engineer · Python",
        email="amara.okafor@example.com",
        phone="+44 7700 900123",
        location="London, United Kingdom",
        links=("github.com/example-aokafor", "linkedin.com/in/example-amara-okafor"),
        summary=(
            "Backend engineer with 10 years of experience designing and operating Python services at scale. "
            "Specialises in Django, FastAPI, PostgreSQL and event-driven architectures built on Celery and Redis. "
            "Enjoys mentoring, pragmatic system design and making on-call boring."
        ),
        experience=(
            Job(
                "Staff Backend Engineer",
                "Ledgerline Payments",
                "London, UK",
                "Jan 2021 – Present",
                (
                    "Led the split of a Django monolith into FastAPI services handling 4,000 requests/s at peak.",
                    "Designed a Celery + Redis batch pipeline that reconciles 12M transactions every night.",
                    "Cut p99 API latency from 850 ms to 120 ms through PostgreSQL query tuning and partitioning.",
                    "Mentored six engineers and ran the backend hiring loop.",
                ),
            ),
            Job(
                "Senior Software Engineer",
                "Brightcart Ltd",
                "London, UK",
                "2017-2020",
                (
                    "Built order-management APIs with Django REST Framework used by 300 merchants.",
                    "Introduced Docker and Kubernetes deployments on AWS, reducing release time from days to hours.",
                    "Owned zero-downtime schema migrations for a 2 TB PostgreSQL database.",
                ),
            ),
            Job(
                "Software Engineer",
                "Kobo Digital",
                "Lagos, Nigeria",
                "06/2014 - 12/2016",
                (
                    "Developed Python/Flask services for a mobile top-up platform with 1M monthly users.",
                    "Integrated three SMS gateways and wrote the retry and idempotency layer.",
                ),
            ),
        ),
        education=(Degree("BSc", "Computer Science", "University of Lagos", "2014", "First Class Honours"),),
        skills=(
            "Python",
            "Django",
            "FastAPI",
            "Flask",
            "PostgreSQL",
            "Redis",
            "Celery",
            "Kafka",
            "Docker",
            "Kubernetes",
            "AWS",
            "Terraform",
            "REST APIs",
            "pytest",
        ),
        certifications=("AWS Certified Solutions Architect – Associate (2022)",),
        languages=("English (native)", "Yoruba (native)", "French (basic)"),
        a4=True,
        heading_overrides=(("summary", "Profile"), ("experience", "Work Experience")),
    ),
    Resume(
        number=2,
        slug="daniel-whitaker",
        layout="docx_colon",
        posting="backend-python-engineer",
        fit="strong",
        name="Daniel Whitaker",
        headline="Backend Python Developer",
        email="daniel.whitaker@example.org",
        phone="(555) 010-1234",
        location="Portland, OR, USA",
        links=("https://github.com/example-dwhitaker",),
        summary=(
            "Python developer with 7 years of experience building REST APIs, background workers and data pipelines "
            "for healthcare and logistics companies. Cares about test coverage, clear interfaces and boring, "
            "reliable deployments."
        ),
        experience=(
            Job(
                "Backend Developer",
                "Fernhill Health Systems",
                "Portland, OR",
                "Mar 2020 – Present",
                (
                    "Built the patient-scheduling API in FastAPI and PostgreSQL serving 40 clinics.",
                    "Moved slow report generation to Celery workers on Redis, cutting API timeouts by 95%.",
                    "Raised test coverage from 48% to 92% with pytest and factory fixtures.",
                ),
            ),
            Job(
                "Software Developer",
                "Cascade Freight Co.",
                "Portland, OR",
                "2018-2020",
                (
                    "Maintained Flask APIs for shipment tracking; added Redis caching for hot endpoints.",
                    "Containerised five services with Docker and set up CI on GitHub Actions.",
                ),
            ),
            Job(
                "Junior Developer",
                "Willamette Web Studio",
                "Salem, OR",
                "06/2017 - 02/2018",
                ("Wrote Django sites and admin tooling for small-business clients.",),
            ),
        ),
        education=(Degree("B.S.", "Computer Science", "Oregon State University", "2017"),),
        skills=(
            "Python",
            "FastAPI",
            "Flask",
            "Django",
            "SQLAlchemy",
            "PostgreSQL",
            "Redis",
            "Celery",
            "RabbitMQ",
            "Docker",
            "GitHub Actions",
            "AWS (ECS, RDS, S3)",
            "pytest",
        ),
        projects=("pg-snapshot – open-source CLI for taking anonymised PostgreSQL snapshots for local development.",),
        heading_overrides=(("summary", "Professional Summary"),),
    ),
    Resume(
        number=3,
        slug="priya-raman",
        layout="txt_plain",
        posting="data-scientist",
        fit="strong",
        name="Priya Raman",
        headline="Senior Data Scientist",
        email="priya.raman@example.com",
        phone="555.010.9876",
        location="Chicago, IL, USA",
        links=("linkedin.com/in/example-priya-raman",),
        summary=(
            "Data scientist with 5+ years of experience building predictive models, running experiments and "
            "shipping NLP systems in insurance and retail. Comfortable owning a problem from SQL exploration to a "
            "monitored model in production, and explaining the results to non-technical stakeholders."
        ),
        experience=(
            Job(
                "Senior Data Scientist",
                "Meridian Insurance Group",
                "Chicago, IL",
                "Jan 2022 – Present",
                (
                    "Built a gradient-boosted churn model (LightGBM) that lifted 12-month retention by 8%.",
                    "Designed the company's A/B testing framework and trained analysts on power analysis.",
                    "Fine-tuned a transformer classifier to triage claims notes; deployed with MLflow and Docker.",
                ),
            ),
            Job(
                "Data Scientist",
                "Quill Retail Analytics",
                "Chicago, IL",
                "2019-2021",
                (
                    "Delivered weekly demand forecasts for 2,000 SKUs using Prophet and LightGBM.",
                    "Rebuilt the feature pipeline in SQL and dbt, halving model refresh time.",
                ),
            ),
            Job(
                "Data Analyst Intern",
                "Lakeview Bank",
                "Chicago, IL",
                "05/2018 - 08/2018",
                ("Analysed credit-card transaction data in SQL and Python for a fraud-rules review.",),
            ),
        ),
        education=(
            Degree("M.S.", "Statistics", "University of Illinois Urbana-Champaign", "2019"),
            Degree("B.Sc.", "Mathematics", "University of Mumbai", "2017"),
        ),
        skills=(
            "Python",
            "pandas",
            "NumPy",
            "scikit-learn",
            "XGBoost",
            "LightGBM",
            "PyTorch",
            "SQL",
            "Spark",
            "Airflow",
            "MLflow",
            "A/B testing",
            "causal inference",
            "Tableau",
        ),
        languages=("English", "Hindi", "Tamil"),
    ),
    Resume(
        number=4,
        slug="camille-laurent",
        layout="pdf_classic",
        posting="data-scientist",
        fit="strong",
        name="Camille Laurent",
        headline="Data Scientist – Machine Learning & NLP",
        email="camille.laurent@example.org",
        phone="+33 6 39 98 42 17",
        location="Lyon, France",
        links=("linkedin.com/in/example-camille-laurent",),
        summary=(
            "Data scientist avec 4 ans d'expérience en apprentissage automatique, traitement automatique du langage "
            "et mise en production de modèles. Habituée à travailler avec les équipes métier pour transformer des "
            "questions business en modèles mesurables. Mobile à l'international, anglais courant."
        ),
        experience=(
            Job(
                "Data Scientist",
                "Vinéa Assurances",
                "Lyon",
                "janv. 2021 – aujourd'hui",
                (
                    "Conception d'un modèle de détection de fraude (XGBoost) réduisant les pertes de 15 %.",
                    "Industrialisation des modèles avec MLflow, Docker et une API FastAPI.",
                    "Analyse des verbatims clients par NLP (CamemBERT, PyTorch) et restitution au comité de direction.",
                    "Mise en place de tests A/B sur le parcours de souscription en ligne.",
                ),
            ),
            Job(
                "Data Analyst",
                "Groupe Rhône Distribution",
                "Villeurbanne",
                "sept. 2019 – déc. 2020",
                (
                    "Création de tableaux de bord Power BI pour 60 magasins.",
                    "Requêtes SQL et prévisions des ventes hebdomadaires (séries temporelles).",
                ),
            ),
            Job(
                "Stagiaire Data Science",
                "Laboratoire Sémaphore",
                "Lyon",
                "03/2019 - 08/2019",
                ("Classification de documents juridiques ; comparaison de modèles TF-IDF et word2vec.",),
            ),
        ),
        education=(
            Degree("Master", "Mathématiques appliquées et statistique", "Université Claude Bernard Lyon 1", "2019"),
            Degree("Licence", "Mathématiques", "Université Grenoble Alpes", "2017"),
        ),
        skills=(
            "Python",
            "pandas",
            "scikit-learn",
            "PyTorch",
            "SQL",
            "Spark",
            "MLflow",
            "Docker",
            "statistiques bayésiennes",
            "tests A/B",
            "Power BI",
        ),
        languages=(
            "Français (langue maternelle)",
            "Anglais (courant, TOEIC 945)",
            "Espagnol (intermédiaire)",
        ),
        projects=("Contributrice à une bibliothèque open source de détection de dérive des données.",),
        lang="fr",
        a4=True,
    ),
    Resume(
        number=5,
        slug="marcus-bell",
        layout="docx_styled",
        posting="account-executive",
        fit="strong",
        name="Marcus Bell",
        headline="Senior Account Executive – B2B SaaS",
        email="marcus.bell@example.com",
        phone="+1 512 555 0148",
        location="Austin, TX",
        links=("linkedin.com/in/example-marcus-bell",),
        summary=(
            "Quota-carrying B2B SaaS seller with 6 years of experience and a consistent record above target. "
            "Runs disciplined full-cycle deals in the mid-market using MEDDIC, and keeps Salesforce clean enough "
            "that forecasts land within 5%."
        ),
        experience=(
            Job(
                "Senior Account Executive",
                "Tallgrass Software",
                "Austin, TX",
                "Jan 2021 – Present",
                (
                    "Closed 128% of a $1.2M annual quota in FY2023 and 117% in FY2022.",
                    "Won the company's largest new-logo deal to date ($420k ARR, 3-year term).",
                    "Built 60% of own pipeline through outbound prospecting and partner referrals.",
                ),
            ),
            Job(
                "Account Executive",
                "Pinnacle HR Cloud",
                "Dallas, TX",
                "2019-2021",
                (
                    "Sold HR and payroll software to companies with 100–1,000 employees; 112% of quota.",
                    "Introduced MEDDIC qualification to the mid-market team.",
                ),
            ),
            Job(
                "Sales Development Representative",
                "Brightline CRM",
                "Austin, TX",
                "06/2017 - 03/2019",
                ("Booked 140+ qualified meetings; promoted to AE after 20 months.",),
            ),
        ),
        education=(Degree("BBA", "Marketing", "The University of Texas at Austin", "2017"),),
        skills=(
            "B2B SaaS sales",
            "Salesforce",
            "HubSpot",
            "Outreach",
            "Gong",
            "MEDDIC",
            "pipeline management",
            "negotiation",
            "forecasting",
            "outbound prospecting",
        ),
        languages=("English (native)", "Spanish (professional working proficiency)"),
    ),
    Resume(
        number=6,
        slug="hannah-kowalski",
        layout="txt_markdown",
        posting="hr-generalist",
        fit="strong",
        name="Hannah Kowalski",
        headline="HR Generalist | Chartered MCIPD",
        email="hannah.kowalski@example.org",
        phone="+44 7700 900456",
        location="Manchester, UK",
        links=("https://www.linkedin.com/in/example-hannah-kowalski",),
        summary=(
            "HR generalist with 9 years of experience supporting managers and employees in logistics, food "
            "manufacturing and retail. Confident with employee relations casework, UK employment law, onboarding "
            "and HRIS projects, including a Workday implementation across three sites."
        ),
        experience=(
            Job(
                "HR Generalist",
                "Northgate Logistics",
                "Manchester",
                "Apr 2020 – Present",
                (
                    "First point of contact for 300 employees across three warehouse sites.",
                    "Manage 25+ employee relations cases a year, including disciplinaries, grievances and appeals.",
                    "Redesigned onboarding; 90-day attrition fell from 18% to 11%.",
                    "HR lead for the Workday implementation; trained 40 line managers.",
                ),
            ),
            Job(
                "HR Advisor",
                "Pennine Foods Ltd",
                "Oldham",
                "2017-2020",
                (
                    "Coordinated monthly payroll inputs and absence reporting for 450 staff.",
                    "Supported a TUPE transfer of 60 employees and a collective consultation.",
                ),
            ),
            Job(
                "HR Assistant",
                "Mersey Retail Group",
                "Liverpool",
                "09/2015 - 03/2017",
                ("Ran right-to-work checks, contracts and new-starter paperwork for 12 stores.",),
            ),
        ),
        education=(Degree("BA (Hons)", "Human Resource Management", "Manchester Metropolitan University", "2015"),),
        skills=(
            "Employee relations",
            "UK employment law",
            "Onboarding",
            "Workday",
            "BambooHR",
            "Payroll coordination",
            "Recruitment",
            "Absence management",
            "HR policy writing",
        ),
        certifications=("CIPD Level 5 Associate Diploma in People Management (2019)", "Chartered MCIPD (2022)"),
        languages=("English (native)", "Polish (fluent)"),
    ),
    Resume(
        number=7,
        slug="jun-park",
        layout="pdf_caps",
        posting="backend-python-engineer",
        fit="weak",
        name="Jun Park",
        headline="Frontend Developer",
        email="jun.park@example.com",
        phone="(206) 555-0177",
        location="Seattle, WA",
        links=("github.com/example-junpark", "junpark.example.com"),
        summary=(
            "Frontend developer with 5 years of experience building accessible, fast web interfaces in React and "
            "TypeScript. Works closely with designers and enjoys design systems, performance budgets and "
            "component testing."
        ),
        experience=(
            Job(
                "Frontend Engineer",
                "Northbeam Media",
                "Seattle, WA",
                "Feb 2021 – Present",
                (
                    "Built and maintain a React + Storybook design system used by four product teams.",
                    "Led the migration of the marketing site to Next.js; LCP improved from 4.1 s to 1.6 s.",
                    "Added Cypress end-to-end tests to the checkout flow.",
                ),
            ),
            Job(
                "UI Developer",
                "Pixelhouse Agency",
                "Seattle, WA",
                "2019-2021",
                (
                    "Delivered responsive sites for 20+ clients in HTML, SCSS and vanilla JavaScript.",
                    "Audited and fixed sites to WCAG 2.1 AA.",
                ),
            ),
        ),
        education=(Degree("B.A.", "Interaction Design", "University of Washington", "2019"),),
        skills=(
            "JavaScript",
            "TypeScript",
            "React",
            "Next.js",
            "Redux",
            "HTML5",
            "CSS3 / SCSS",
            "Tailwind CSS",
            "Storybook",
            "Jest",
            "Cypress",
            "Figma",
            "Node.js (basic)",
        ),
        projects=("tiny-toast – a 2 kB accessible toast-notification library for React.",),
    ),
    Resume(
        number=8,
        slug="sofia-marin",
        layout="docx_table",
        posting="hr-generalist",
        fit="strong",
        name="Sofía Marín",
        headline="People Operations Generalist",
        email="sofia.marin@example.com",
        phone="07700 900789",
        location="Leeds, UK",
        links=("linkedin.com/in/example-sofia-marin",),
        summary=(
            "People-focused HR generalist with 5 years of experience across the employee lifecycle in engineering "
            "and housing organisations. Known for calm employee relations handling, well-run onboarding and "
            "making HR data useful to managers."
        ),
        experience=(
            Job(
                "People Operations Generalist",
                "Kestrel Engineering",
                "Leeds",
                "Jul 2021 – Present",
                (
                    "Support 450 employees and 35 managers on ER cases, absence and performance.",
                    "Administer BambooHR; built monthly headcount and turnover dashboards in Excel.",
                    "Coordinate recruitment for around 60 hires a year and run onboarding.",
                    "Ran the annual engagement survey; response rate rose from 54% to 78%.",
                ),
            ),
            Job(
                "HR Coordinator",
                "Aire Valley Housing",
                "Bradford",
                "2019 – 2021",
                (
                    "Prepared payroll changes, contracts and right-to-work checks.",
                    "Updated the employee handbook and family-leave policies.",
                ),
            ),
        ),
        education=(Degree("BSc", "Business Management with Human Resources", "University of Leeds", "2019"),),
        skills=(
            "Employee relations",
            "Onboarding",
            "BambooHR",
            "Recruitment",
            "Employee engagement",
            "HR analytics (Excel)",
            "Absence management",
            "Right-to-work checks",
            "Policy drafting",
        ),
        certifications=(
            "CIPD Level 3 Foundation Certificate in People Practice (2020)",
            "CIPD Level 5 – in progress (expected 2025)",
        ),
        languages=("English (fluent)", "Spanish (native)"),
        a4=True,
    ),
    Resume(
        number=9,
        slug="tomasz-nowak",
        layout="txt_caps",
        posting="backend-python-engineer",
        fit="weak",
        name="Tomasz Nowak",
        headline="Junior Python Developer",
        email="tomasz.nowak@example.com",
        phone="303-555-0190",
        location="Denver, CO",
        links=("github.com/example-tnowak",),
        summary=(
            "Career changer and bootcamp graduate with about one year of professional experience as a Python "
            "developer. Eager to learn backend development properly from an experienced team."
        ),
        experience=(
            Job(
                "Junior Software Developer",
                "Summit Ticketing",
                "Denver, CO",
                "09/2023 - Present",
                (
                    "Fix bugs and write unit tests for the company's Django ticketing app.",
                    "Added CSV export to the admin dashboard.",
                ),
            ),
            Job(
                "Warehouse Associate",
                "Front Range Distribution",
                "Aurora, CO",
                "2019-2023",
                (
                    "Picked and packed orders; trained new starters on the scanner system.",
                    "Wrote a small Python script to reconcile daily pick lists.",
                ),
            ),
        ),
        education=(
            Degree("Certificate", "Full-Stack Software Engineering (12-week bootcamp)", "Peak Coding Academy", "2023"),
            Degree("A.A.", "General Studies", "Community College of Denver", "2019"),
        ),
        skills=("Python", "Django", "HTML", "CSS", "JavaScript (basic)", "Git", "SQL (SQLite)", "Docker (basic)"),
        projects=(
            "Budget Buddy – personal finance tracker built with Django and Chart.js.",
            "Trailhead weather bot – Discord bot written in Python.",
        ),
    ),
    Resume(
        number=10,
        slug="grace-adeyemi",
        layout="pdf_classic",
        posting="hr-generalist",
        fit="weak",
        name="Grace Adeyemi, RN",
        headline="Registered Nurse – Charge Nurse, Medical-Surgical",
        email="grace.adeyemi@example.com",
        phone="(404) 555-0126",
        location="Atlanta, GA",
        links=(),
        summary=(
            "Registered nurse with 8 years of acute-care experience, including 5 years as charge nurse responsible "
            "for staffing and precepting new graduates. Looking to move into HR, staff development or nurse "
            "recruitment, building on my experience supporting and scheduling clinical teams."
        ),
        experience=(
            Job(
                "Charge Nurse, Medical-Surgical Unit",
                "Peachtree Regional Medical Center",
                "Atlanta, GA",
                "Jun 2019 – Present",
                (
                    "Coordinate care and staffing for a 32-bed unit across 12-hour shifts.",
                    "Precept and orient newly hired nurses; 14 preceptees to date.",
                    "Member of the unit's nurse retention committee.",
                ),
            ),
            Job(
                "Staff Nurse, Intensive Care Unit",
                "Magnolia Community Hospital",
                "Marietta, GA",
                "2016 – 2019",
                ("Provided critical care to ventilated and post-surgical patients.",),
            ),
        ),
        education=(Degree("BSN", "Nursing", "Georgia State University", "2016"),),
        skills=(
            "Patient assessment",
            "Medication administration",
            "Epic EHR",
            "Staff scheduling",
            "Precepting",
            "Infection control",
            "Patient education",
        ),
        certifications=(
            "Registered Nurse, State of Georgia",
            "Basic Life Support (BLS)",
            "Advanced Cardiovascular Life Support (ACLS)",
        ),
    ),
    Resume(
        number=11,
        slug="oliver-brennan",
        layout="docx_colon",
        posting="data-scientist",
        fit="weak",
        name="Oliver Brennan ACA",
        headline="Financial Controller",
        email="oliver.brennan@example.org",
        phone="+44 7700 900234",
        location="Bristol, UK",
        links=(),
        summary=(
            "ICAEW chartered accountant with 12 years of experience in audit and financial control. Strong Excel "
            "modeller with growing interest in data analytics; recently completed an introductory Python course."
        ),
        experience=(
            Job(
                "Financial Controller",
                "Severn Marine Holdings",
                "Bristol",
                "2018 – Present",
                (
                    "Own month-end close, group consolidation and IFRS reporting for five entities.",
                    "Built the annual budget and rolling forecast models in Excel and Power BI.",
                    "Led the move from Sage to SAP Business One.",
                ),
            ),
            Job(
                "Audit Senior",
                "Hale & Partners LLP",
                "Bristol",
                "Sep 2012 – Aug 2018",
                ("Led audits of manufacturing and charity clients with turnover up to £80M.",),
            ),
        ),
        education=(Degree("BA", "Economics", "University of Bristol", "2011", "2:1"),),
        skills=(
            "Financial reporting",
            "IFRS",
            "Excel (advanced, VBA)",
            "Power BI",
            "SAP",
            "Budgeting",
            "Forecasting",
            "SQL (basic)",
            "Python (beginner)",
        ),
        certifications=("ACA, Institute of Chartered Accountants in England and Wales (2015)",),
        a4=True,
    ),
    Resume(
        number=12,
        slug="mei-lin-chen",
        layout="txt_plain",
        posting="data-scientist",
        fit="strong",
        name="Mei-Lin Chen, PhD",
        headline="Staff Data Scientist · Machine Learning",
        email="meilin.chen@example.com",
        phone="+1 (415) 555-0150",
        location="San Francisco, CA",
        links=("github.com/example-meilinchen", "https://meilin.example.org"),
        summary=(
            "Machine learning scientist with 8 years of industry experience after a PhD in machine learning. Has "
            "built and led teams shipping NLP and risk models in healthcare and fintech, with a focus on rigorous "
            "evaluation and responsible deployment."
        ),
        experience=(
            Job(
                "Staff Data Scientist",
                "Orbital Health AI",
                "San Francisco, CA",
                "Jan 2020 – Present",
                (
                    "Lead a team of four building NLP models on clinical notes (BERT fine-tuning, PyTorch).",
                    "Readmission-risk model now used by 11 hospitals; AUROC 0.81 on prospective validation.",
                    "Designed the feature store and model-monitoring stack (Spark, MLflow, Kubernetes).",
                ),
            ),
            Job(
                "Data Scientist",
                "Harborview Fintech",
                "Oakland, CA",
                "2016-2019",
                (
                    "Built credit-risk and uplift models that cut loan defaults by 9%.",
                    "Ran 30+ pricing experiments and wrote the internal experimentation guidelines.",
                ),
            ),
        ),
        education=(
            Degree("Ph.D.", "Computer Science (Machine Learning)", "University of California, Berkeley", "2016"),
            Degree("B.S.", "Mathematics", "National Taiwan University", "2010"),
        ),
        skills=(
            "Python",
            "PyTorch",
            "TensorFlow",
            "scikit-learn",
            "Hugging Face Transformers",
            "SQL",
            "Spark",
            "MLflow",
            "Kubernetes",
            "Bayesian statistics",
            "Experiment design",
        ),
        languages=("English", "Mandarin Chinese"),
        projects=("Co-author of four peer-reviewed papers on clinical NLP and model calibration.",),
    ),
    Resume(
        number=13,
        slug="rafael-souza",
        layout="pdf_two_column",
        posting="account-executive",
        fit="strong",
        name="Rafael Souza",
        headline="Account Executive · SMB & Mid-Market SaaS",
        email="rafael.souza@example.com",
        phone="305.555.0162",
        location="Miami, FL",
        links=("linkedin.com/in/example-rafael-souza",),
        summary=(
            "Account executive with 4 years in B2B SaaS sales, first as an SDR and for the last 2 years closing "
            "full-cycle deals. Trilingual and at my best running discovery calls and tight, well-documented sales "
            "processes."
        ),
        experience=(
            Job(
                "Account Executive",
                "Helio Payroll",
                "Miami, FL",
                "Mar 2022 – Present",
                (
                    "118% of quota in 2023 and 109% in 2022, selling payroll software to SMB and mid-market.",
                    "Average 45-day sales cycle; average deal size $28k ARR.",
                    "Top performer for Latin American-owned accounts thanks to Spanish and Portuguese.",
                ),
            ),
            Job(
                "Sales Development Representative",
                "Cloudnest",
                "Fort Lauderdale, FL",
                "2020-2022",
                ("Generated $1.1M in qualified pipeline through cold calling and sequences in Outreach.",),
            ),
        ),
        education=(Degree("B.S.", "Business Administration", "Florida International University", "2020"),),
        skills=("Salesforce", "HubSpot", "Outreach", "Prospecting", "Discovery", "Demos", "Negotiation", "SPIN"),
        languages=("English", "Portuguese (native)", "Spanish (fluent)"),
    ),
    Resume(
        number=14,
        slug="emily-carter",
        layout="docx_styled",
        posting="account-executive",
        fit="weak",
        name="Emily Carter",
        headline="Recent Graduate",
        email="emily.carter@example.org",
        phone="(614) 555-0188",
        location="Columbus, OH",
        links=(),
        summary=(
            "Recent English literature graduate with customer-facing experience and strong writing skills, looking "
            "for an entry-level role in sales or marketing."
        ),
        experience=(
            Job(
                "Marketing Intern",
                "Buckeye Events",
                "Columbus, OH",
                "06/2023 - 08/2023",
                ("Wrote social posts and newsletters; grew Instagram following by 20% over the summer.",),
            ),
            Job(
                "Barista (part-time)",
                "Brew & Bean Coffee",
                "Columbus, OH",
                "2021-2024",
                ("Served 200+ customers a shift and trained new baristas.",),
            ),
        ),
        education=(Degree("B.A.", "English Literature", "The Ohio State University", "2024"),),
        skills=("Writing", "Customer service", "Microsoft Office", "Social media", "Canva", "Public speaking"),
        heading_overrides=(("summary", "Objective"),),
    ),
    Resume(
        number=15,
        slug="kwame-mensah",
        layout="txt_caps",
        posting="account-executive",
        fit="strong",
        name="Kwame Mensah",
        headline="Regional Sales Director – Enterprise SaaS",
        email="kwame.mensah@example.com",
        phone="+1 214 555 0131",
        location="Dallas, TX",
        links=("linkedin.com/in/example-kwame-mensah",),
        summary=(
            "Sales leader with 15 years of B2B software sales, from individual contributor to leading a team of 12 "
            "account executives. Three-time President's Club. Happy to return to a senior individual-contributor "
            "role closing mid-market and enterprise deals."
        ),
        experience=(
            Job(
                "Regional Sales Director",
                "Ironbridge Analytics",
                "Dallas, TX",
                "Jan 2018 – Present",
                (
                    "Lead 12 AEs carrying $18M in annual new-business ARR; region at 106% of target since 2019.",
                    "Rolled out MEDDICC and a weekly forecasting cadence in Salesforce.",
                    "Personally closed three seven-figure enterprise deals.",
                ),
            ),
            Job(
                "Enterprise Account Executive",
                "Skyward ERP Solutions",
                "Dallas, TX",
                "2013-2017",
                ("President's Club 2014, 2015 and 2017; averaged 124% of quota.",),
            ),
            Job(
                "Account Manager",
                "TeleCore Communications",
                "Houston, TX",
                "07/2009 - 12/2012",
                ("Managed 80 SMB accounts; renewal rate 94%.",),
            ),
        ),
        education=(
            Degree("MBA", "Business Administration", "Southern Methodist University", "2013"),
            Degree("B.S.", "Marketing", "University of Ghana", "2008"),
        ),
        skills=(
            "Enterprise SaaS sales",
            "Salesforce",
            "MEDDICC",
            "Forecasting",
            "Sales leadership",
            "Negotiation",
            "C-level relationships",
            "Gong",
        ),
        languages=("English", "Twi"),
    ),
    Resume(
        number=16,
        slug="isabelle-moreau",
        layout="pdf_caps",
        posting="data-scientist",
        fit="partial",
        name="Isabelle Moreau",
        headline="Data Analyst",
        email="isabelle.moreau@example.com",
        phone="(514) 555-0143",
        location="Montréal, QC, Canada",
        links=("linkedin.com/in/example-isabelle-moreau",),
        summary=(
            "Data analyst with 2 years of experience in retail analytics. Strong in SQL and dashboarding, "
            "currently learning machine learning with Python and scikit-learn."
        ),
        experience=(
            Job(
                "Data Analyst",
                "Maplewood Retail Group",
                "Montréal, QC",
                "Jul 2022 – Present",
                (
                    "Own weekly sales and inventory reporting in SQL and Tableau for 85 stores.",
                    "Cohort and basket analysis that informed the 2023 loyalty-programme redesign.",
                    "Automated three Excel reports with Python (pandas), saving 6 hours a week.",
                ),
            ),
            Job(
                "Business Intelligence Intern",
                "Maplewood Retail Group",
                "Montréal, QC",
                "01/2022 - 06/2022",
                ("Built Tableau dashboards for the merchandising team.",),
            ),
        ),
        education=(Degree("B.Com.", "Business Analytics", "McGill University", "2022"),),
        skills=(
            "SQL",
            "Excel",
            "Tableau",
            "Python (pandas)",
            "Descriptive statistics",
            "Google Analytics",
            "scikit-learn (learning)",
        ),
        languages=("French (native)", "English (fluent)"),
    ),
    Resume(
        number=17,
        slug="david-goldberg",
        layout="docx_styled",
        posting="backend-python-engineer",
        fit="partial",
        name="David Goldberg",
        headline="Senior Software Engineer – Java / Spring",
        email="david.goldberg@example.com",
        phone="+1 212-555-0127",
        location="New York, NY",
        links=("https://github.com/example-dgoldberg",),
        summary=(
            "Backend engineer with 7 years of experience building Java and Spring Boot microservices for "
            "financial-services platforms. Uses Python for tooling and scripting and is keen to move to a "
            "Python-first backend team."
        ),
        experience=(
            Job(
                "Senior Software Engineer",
                "Hudson Clearing Corp",
                "New York, NY",
                "Aug 2020 – Present",
                (
                    "Design Java 17 / Spring Boot services processing trade events from Kafka into PostgreSQL.",
                    "Wrote Python tooling for data backfills and operational runbooks.",
                    "Run services on Kubernetes; introduced Redis caching for reference data.",
                ),
            ),
            Job(
                "Software Engineer",
                "Brookline Media",
                "New York, NY",
                "2017-2020",
                ("Maintained Java services and MySQL databases for the ad-serving platform.",),
            ),
        ),
        education=(Degree("B.S.", "Computer Engineering", "Rutgers University", "2017"),),
        skills=(
            "Java",
            "Spring Boot",
            "Kafka",
            "PostgreSQL",
            "MySQL",
            "Redis",
            "Docker",
            "Kubernetes",
            "Python (scripting)",
            "JUnit",
        ),
    ),
    Resume(
        number=18,
        slug="fatima-haddad",
        layout="txt_plain",
        posting="hr-generalist",
        fit="weak",
        name="Fatima Haddad",
        headline="Store Manager",
        email="fatima.haddad@example.org",
        phone="07700 900612",
        location="Birmingham, UK",
        links=(),
        summary=(
            "Retail store manager with 9 years in the sector, leading teams of up to 35. Experienced in hiring, "
            "rotas and day-to-day people management, and interested in moving into an HR role."
        ),
        experience=(
            Job(
                "Store Manager",
                "Highfield Home Stores",
                "Birmingham",
                "2019 – Present",
                (
                    "Run a £6M-turnover store with 35 staff; hit sales targets in 4 of the last 5 years.",
                    "Recruit and induct seasonal staff; handle first-stage disciplinary meetings.",
                ),
            ),
            Job(
                "Assistant Store Manager",
                "Highfield Home Stores",
                "Solihull",
                "2015 – 2019",
                ("Managed rotas, stock control and cash handling.",),
            ),
        ),
        education=(Degree("BTEC HND", "Business", "South & City College Birmingham", "2014"),),
        skills=(
            "Team leadership",
            "Rota planning",
            "Stock control",
            "Customer service",
            "Sales targets",
            "Cash handling",
        ),
        languages=("English", "Arabic"),
    ),
    Resume(
        number=19,
        slug="lena-schmidt",
        layout="pdf_classic",
        posting="account-executive",
        fit="weak",
        name="Lena Schmidt, CPA",
        headline="Senior Staff Accountant",
        email="lena.schmidt@example.com",
        phone="(612) 555-0145",
        location="Minneapolis, MN",
        links=("linkedin.com/in/example-lena-schmidt",),
        summary=(
            "Detail-oriented CPA with 5 years of experience in general ledger accounting, month-end close and "
            "audit preparation for a medical-device manufacturer and a regional CPA firm."
        ),
        experience=(
            Job(
                "Senior Staff Accountant",
                "Northstar Medical Devices",
                "Minneapolis, MN",
                "Jan 2021 – Present",
                (
                    "Own month-end close for two entities; reduced close from 9 to 6 business days.",
                    "Prepare account reconciliations and support the annual external audit.",
                ),
            ),
            Job(
                "Staff Accountant",
                "Lakes & Pine CPA Group",
                "St. Paul, MN",
                "2019 – 2020",
                ("Bookkeeping, payroll tax filings and accounts payable for small-business clients.",),
            ),
        ),
        education=(Degree("B.S.", "Accounting", "University of Minnesota", "2019"),),
        skills=(
            "US GAAP",
            "Month-end close",
            "Account reconciliations",
            "NetSuite",
            "Excel",
            "Accounts payable",
            "Audit support",
        ),
        certifications=("Certified Public Accountant (Minnesota, 2020)",),
        languages=("English", "German"),
    ),
    Resume(
        number=20,
        slug="samuel-ortiz",
        layout="docx_colon",
        posting="backend-python-engineer",
        fit="strong",
        name="Samuel Ortiz",
        headline="Backend & Platform Engineer",
        email="samuel.ortiz@example.org",
        phone="602.555.0118",
        location="Phoenix, AZ, USA (open to remote)",
        links=("github.com/example-sortiz",),
        summary=(
            "Backend engineer with 5 years of experience running Python services and the platform underneath them. "
            "Equally happy writing FastAPI endpoints, tuning PostgreSQL and Celery workers, or fixing a Helm chart."
        ),
        experience=(
            Job(
                "Backend Engineer",
                "Saguaro Labs",
                "Remote",
                "Aug 2021 – Present",
                (
                    "Build FastAPI services and Celery workers on Redis processing 2M documents a day.",
                    "Tuned PostgreSQL indexes and connection pooling; database CPU down 40%.",
                    "Run services on Kubernetes with Helm; added Prometheus metrics and Grafana dashboards.",
                ),
            ),
            Job(
                "Software Engineer",
                "Desert Sun Energy",
                "Tempe, AZ",
                "2019-2021",
                (
                    "Wrote Python ETL jobs for smart-meter data and a Django admin for operations staff.",
                    "Moved batch jobs to AWS Lambda and managed infrastructure with Terraform.",
                ),
            ),
        ),
        education=(Degree("B.S.", "Software Engineering", "Arizona State University", "2019"),),
        skills=(
            "Python",
            "FastAPI",
            "Django",
            "Celery",
            "Redis",
            "PostgreSQL",
            "Docker",
            "Kubernetes",
            "Helm",
            "AWS",
            "Terraform",
            "Prometheus",
            "Grafana",
        ),
        certifications=("Certified Kubernetes Application Developer (CKAD), 2023",),
        languages=("English", "Spanish"),
    ),
)


# --------------------------------------------------------------------------------------------------
# Content: comments
# --------------------------------------------------------------------------------------------------

COMMENTS: dict[str, tuple[str, ...]] = {
    "survey": (
        "I really enjoy working with my team. Everyone is supportive and the workload is fair.",
        "The new hybrid policy is confusing and nobody has explained how desk booking is supposed to work.",
        "I have been in the finance department for three years and work mostly from the Leeds office.",
        "Great benefits package, and the pension matching is generous. Salaries, however, have not kept up with "
        "inflation and several people on my team are looking elsewhere.",
        "Communication from senior leadership is poor. We hear about reorganisations from the press before we hear "
        "about them internally.",
        "The onboarding was great. My manager never answers my questions though.",
        "Training budget: used about half of it this year, mostly on an Excel course.",
        "Honestly the best place I've worked. Flexible hours, kind people, and real opportunities to grow!",
    ),
    "performance_review": (
        "Jordan consistently exceeded their targets this quarter and their analysis of the churn data was outstanding.",
        "Missed three of four project deadlines and did not flag the delays in advance. Needs significant "
        "improvement in planning and communication.",
        "Objectives for the next cycle: complete the AWS certification, take ownership of the billing service, and "
        "mentor one junior engineer.",
        "Technically very strong and a reliable code reviewer. Tends to dominate meetings, which discourages quieter "
        "colleagues from contributing.",
        "Handled a difficult customer escalation calmly and professionally; the client renewed for two more years.",
        "Attendance has been an issue: 11 unplanned absences since January, most of them on Mondays.",
        'Rated "meets expectations" overall. Salary review scheduled for April.',
        "Delivered the payroll migration on time, which was a huge win for the team. Documentation was thin, "
        "though, and others struggled to support the system while she was on leave.",
    ),
    "exit_interview": (
        "I'm leaving for a role with a shorter commute. I have no complaints about the company.",
        "My manager took credit for my work and HR ignored my complaint. I would not recommend working here.",
        "I learned a lot here and I'm grateful for the mentoring. The pay was simply not competitive, so I accepted "
        "an offer elsewhere.",
        "Relocating to Canada with my family. My last day is 28 March.",
        "Toxic culture in the warehouse. Overtime was expected every week, breaks were cut short, and safety "
        "concerns were brushed off.",
        "Wonderful colleagues and a great manager. I'm only leaving because I'm going back to university full-time.",
        "The workload became unmanageable after two people left and were never replaced. I asked for help several "
        "times and nothing changed.",
        "Mixed feelings, really. The product is exciting and the engineering team is talented, but promotions seem "
        "to depend on who you know.",
    ),
    "interview_note": (
        "Candidate gave clear, structured answers and wrote clean, well-tested code in the pairing exercise. "
        "Strong hire.",
        "Arrived 20 minutes late without apology and could not explain basic SQL joins. Not recommended.",
        "Second-round interview held on Teams, 45 minutes. Panel: hiring manager and one senior engineer.",
        "Excellent communicator with deep experience in employee relations. Salary expectations are above our "
        "band, so we may struggle to close.",
        "Candidate is currently on a six-week notice period and would need visa sponsorship.",
        "Very impressive portfolio and thoughtful questions about our roadmap. Would be a great addition to the team.",
        "Good product knowledge, but the discovery role-play was weak: she pitched features before asking a single "
        "question about the customer's needs.",
        "Seemed disengaged throughout, gave one-word answers and checked his phone twice.",
    ),
    "candidate_feedback": (
        "The recruiter was friendly and kept me informed at every stage. Thank you for a smooth process!",
        "I applied six weeks ago and never heard back, not even a rejection email. Very disappointing.",
        "The process had four stages: phone screen, technical test, panel interview and a final call with the "
        "director.",
        'The take-home assignment took far longer than the "3 hours" you suggested. The interviewers themselves '
        "were lovely.",
        "Interviewers were rude and clearly hadn't read my CV.",
        "I really appreciated the detailed feedback after my rejection – it was genuinely useful, and rare in my "
        "experience.",
        "Scheduling was chaotic (my interview was moved three times), but once it happened the conversation was "
        "excellent and I left excited about the role.",
        "Received the offer letter by email on Friday. I have a few questions about the relocation package.",
    ),
}


# --------------------------------------------------------------------------------------------------
# PDF rendering (reportlab)
# --------------------------------------------------------------------------------------------------


# Two font set-ups on purpose: the standard-14 Helvetica (not embedded, like many exported PDFs) and Bitstream
# Vera, shipped with reportlab, embedded as a subset with a ToUnicode map. Helvetica's bullet glyph comes back
# from pypdf as U+007F, so Helvetica résumés use an en dash as their bullet instead.
FONT_FAMILIES: dict[str, tuple[str, str, str, str]] = {
    "Helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique"),
    "Vera": ("Vera", "Vera-Bold", "Vera-Italic", "Vera-BoldItalic"),
}
BULLET_CHARS: dict[str, str] = {"Helvetica": "–", "Vera": "•"}


def _register_fonts() -> None:
    files = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")
    names = FONT_FAMILIES["Vera"]
    for name, filename in zip(names, files, strict=True):
        pdfmetrics.registerFont(TTFont(name, filename))  # found on reportlab's own font path
    pdfmetrics.registerFontFamily("Vera", normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])


def _bullet(st: dict[str, ParagraphStyle]) -> str:
    return BULLET_CHARS[st["body"].fontName]


def _pdf_styles(accent: colors.Color, caps: bool = False, font: str = "Vera") -> dict[str, ParagraphStyle]:
    regular, bold, italic, _ = FONT_FAMILIES[font]
    normal = ParagraphStyle("base", parent=getSampleStyleSheet()["Normal"], fontName=regular, bulletFontName=regular)
    grey = colors.HexColor("#555555")
    return {
        "name": ParagraphStyle(
            "name",
            parent=normal,
            fontName=bold,
            fontSize=22,
            leading=26,
            textColor=accent,
            alignment=TA_CENTER if caps else 0,
        ),
        "headline": ParagraphStyle(
            "headline", parent=normal, fontSize=11.5, leading=15, textColor=grey, alignment=TA_CENTER if caps else 0
        ),
        "contact": ParagraphStyle(
            "contact", parent=normal, fontSize=9, leading=12, alignment=TA_CENTER if caps else 0, spaceAfter=4
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=normal,
            fontName=bold,
            fontSize=11 if caps else 12.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=3,
            textColor=accent,
        ),
        "side_heading": ParagraphStyle(
            "side_heading",
            parent=normal,
            fontName=bold,
            fontSize=10.5,
            leading=13,
            spaceBefore=10,
            spaceAfter=3,
            textColor=accent,
        ),
        "body": ParagraphStyle("body", parent=normal, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=normal, fontSize=8.5, leading=11.5),
        "job": ParagraphStyle("job", parent=normal, fontName=bold, fontSize=10, leading=13, spaceBefore=5),
        "meta": ParagraphStyle("meta", parent=normal, fontName=italic, fontSize=9, leading=12, textColor=grey),
        "bullet": ParagraphStyle("bullet", parent=normal, fontSize=9.5, leading=12.5, leftIndent=12, bulletIndent=3),
        "small_bullet": ParagraphStyle(
            "small_bullet", parent=normal, fontSize=8.8, leading=11.5, leftIndent=9, bulletIndent=0
        ),
    }


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    return Paragraph(escape(text), style, bulletText=bullet)


def _pdf_heading(text: str, st: dict[str, ParagraphStyle], caps: bool, accent: colors.Color) -> list[Flowable]:
    if caps:
        return [
            _p(text.upper(), st["heading"]),
            HRFlowable(width="100%", thickness=0.8, color=accent, spaceBefore=0, spaceAfter=4),
        ]
    return [_p(text, st["heading"])]


def _pdf_job(job: Job, st: dict[str, ParagraphStyle], caps: bool) -> Flowable:
    if caps:
        head = Paragraph(
            f"{escape(job.title.upper())} | {escape(job.company)}, {escape(job.location)} | {escape(job.dates)}",
            st["job"],
        )
        parts: list[Flowable] = [head]
    else:
        regular = st["body"].fontName
        head = Paragraph(
            f"{escape(job.title)} <font name='{regular}'>— {escape(job.company)}, {escape(job.location)}</font>",
            st["job"],
        )
        parts = [head, _p(job.dates, st["meta"])]
    parts += [_p(b, st["bullet"], _bullet(st)) for b in job.bullets]
    return KeepTogether(parts)


def _pdf_degree(d: Degree, r: Resume) -> str:
    joiner = ", " if r.lang == "fr" else " in "
    text = f"<b>{escape(d.degree)}{joiner}{escape(d.field)}</b>, {escape(d.institution)}, {escape(d.year)}"
    return text + (f" ({escape(d.note)})" if d.note else "")


def _pdf_single_column(r: Resume, caps: bool) -> list[Flowable]:
    accent = colors.HexColor("#1f3b5c") if caps else colors.HexColor("#2b5d34")
    st = _pdf_styles(accent, caps, font="Vera" if caps else "Helvetica")
    sep = "  |  " if caps else "  ·  "
    story: list[Flowable] = [
        _p(r.name, st["name"]),
        _p(r.headline, st["headline"]),
        Spacer(1, 4),
        Paragraph(sep.join(escape(c) for c in r.contact_items()), st["contact"]),
    ]
    if not caps:
        story.append(HRFlowable(width="100%", thickness=1.2, color=accent, spaceBefore=2, spaceAfter=2))
    story += _pdf_heading(r.heading("summary"), st, caps, accent)
    story.append(_p(r.summary, st["body"]))
    story += _pdf_heading(r.heading("experience"), st, caps, accent)
    story += [_pdf_job(j, st, caps) for j in r.experience]
    story += _pdf_heading(r.heading("education"), st, caps, accent)
    story += [Paragraph(_pdf_degree(d, r), st["body"]) for d in r.education]
    story += _pdf_heading(r.heading("skills"), st, caps, accent)
    story.append(_p(", ".join(r.skills), st["body"]))
    for key, items in (
        ("certifications", r.certifications),
        ("languages", r.languages),
        ("projects", r.projects),
    ):
        if items:
            story += _pdf_heading(r.heading(key), st, caps, accent)
            story += [_p(i, st["bullet"], _bullet(st)) for i in items]
    return story


def _write_pdf_single(r: Resume, path: Path, caps: bool) -> None:
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4 if r.a4 else LETTER,
        leftMargin=48,
        rightMargin=48,
        topMargin=42,
        bottomMargin=42,
        title=f"{r.name} – Résumé",
        author=r.name,
        creator="talentq samples/generate.py",
        invariant=1,
    )
    doc.build(_pdf_single_column(r, caps))


def _write_pdf_two_column(r: Resume, path: Path) -> None:
    """Sidebar (contact, skills, education, languages) on the left, summary and experience on the right."""
    accent = colors.HexColor("#6a1b4d")
    st = _pdf_styles(accent)
    width, height = A4 if r.a4 else LETTER
    margin, header_h, sidebar_w, gap = 36.0, 62.0, 190.0, 18.0
    body_h = height - 2 * margin - header_h - 8
    frames = [
        Frame(margin, height - margin - header_h, width - 2 * margin, header_h, id="header", showBoundary=0),
        Frame(margin, margin, sidebar_w, body_h, id="sidebar", leftPadding=8, rightPadding=8),
        Frame(margin + sidebar_w + gap, margin, width - 2 * margin - sidebar_w - gap, body_h, id="main"),
    ]

    def background(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#f3ecf1"))
        canvas.rect(margin, margin, sidebar_w, body_h, stroke=0, fill=1)
        canvas.restoreState()

    doc = BaseDocTemplate(
        str(path),
        pagesize=(width, height),
        title=f"{r.name} – Résumé",
        author=r.name,
        creator="talentq samples/generate.py",
        invariant=1,
    )
    doc.addPageTemplates([PageTemplate(id="two_column", frames=frames, onPage=background)])

    story: list[Flowable] = [_p(r.name, st["name"]), _p(r.headline, st["headline"]), FrameBreak()]
    # Sidebar
    story.append(_p(r.heading("contact"), st["side_heading"]))
    story += [_p(c, st["small"]) for c in r.contact_items()]
    story.append(_p(r.heading("skills"), st["side_heading"]))
    story += [_p(s, st["small_bullet"], _bullet(st)) for s in r.skills]
    story.append(_p(r.heading("education"), st["side_heading"]))
    for d in r.education:
        story.append(Paragraph(f"<b>{escape(d.degree)}, {escape(d.field)}</b>", st["small"]))
        story.append(_p(f"{d.institution}, {d.year}", st["small"]))
        if d.note:
            story.append(_p(d.note, st["small"]))
    for key, items in (("certifications", r.certifications), ("languages", r.languages)):
        if items:
            story.append(_p(r.heading(key), st["side_heading"]))
            story += [_p(i, st["small"]) for i in items]
    story.append(FrameBreak())
    # Main column
    story.append(_p(r.heading("summary"), st["heading"]))
    story.append(_p(r.summary, st["body"]))
    story.append(_p(r.heading("experience"), st["heading"]))
    story += [_pdf_job(j, st, caps=False) for j in r.experience]
    if r.projects:
        story.append(_p(r.heading("projects"), st["heading"]))
        story += [_p(p, st["bullet"], _bullet(st)) for p in r.projects]
    doc.build(story)


# --------------------------------------------------------------------------------------------------
# DOCX rendering (python-docx)
# --------------------------------------------------------------------------------------------------


def _new_docx(r: Resume) -> DocxDocument:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    props = doc.core_properties
    props.title = f"{r.name} – Résumé"
    props.author = r.name
    props.last_modified_by = r.name
    props.comments = "Fictional sample résumé generated by talentq samples/generate.py"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1
    return doc


def _save_docx(doc: DocxDocument, path: Path) -> None:
    """Save with fixed zip-member timestamps so the archive is byte-stable across runs."""
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))


def _docx_label(doc: DocxDocument, text: str, size: float = 12.5) -> None:
    para = doc.add_paragraph()
    para.paragraph_format.space_before = Pt(10)
    para.paragraph_format.space_after = Pt(2)
    run = para.add_run(text)
    run.bold = True
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor(0x1F, 0x3B, 0x5C)


def _docx_bullets(doc: DocxDocument, items: tuple[str, ...]) -> None:
    for item in items:
        doc.add_paragraph(item, style="List Bullet")


def _docx_degree(d: Degree) -> str:
    note = f" – {d.note}" if d.note else ""
    return f"{d.degree} in {d.field}, {d.institution} ({d.year}){note}"


def _docx_jobs_inline(doc: DocxDocument, r: Resume) -> None:
    for job in r.experience:
        para = doc.add_paragraph()
        para.paragraph_format.space_before = Pt(6)
        para.paragraph_format.space_after = Pt(0)
        para.add_run(job.title).bold = True
        para.add_run(f", {job.company}, {job.location}\t")
        para.add_run(job.dates).italic = True
        _docx_bullets(doc, job.bullets)


def _write_docx_colon(r: Resume, path: Path) -> None:
    """Plain Word résumé: bold name, inline contact line and bold 'Heading:' labels instead of heading styles."""
    doc = _new_docx(r)
    name = doc.add_paragraph()
    run = name.add_run(r.name)
    run.bold = True
    run.font.size = Pt(20)
    doc.add_paragraph(r.headline).runs[0].italic = True
    doc.add_paragraph(" | ".join(r.contact_items()))
    _docx_label(doc, f"{r.heading('summary')}:")
    doc.add_paragraph(r.summary)
    _docx_label(doc, f"{r.heading('experience')}:")
    _docx_jobs_inline(doc, r)
    _docx_label(doc, f"{r.heading('education')}:")
    for d in r.education:
        doc.add_paragraph(_docx_degree(d))
    _docx_label(doc, f"{r.heading('skills')}:")
    doc.add_paragraph(", ".join(r.skills))
    for key, items in (("certifications", r.certifications), ("languages", r.languages), ("projects", r.projects)):
        if items:
            _docx_label(doc, f"{r.heading(key)}:")
            _docx_bullets(doc, items)
    _save_docx(doc, path)


def _write_docx_styled(r: Resume, path: Path) -> None:
    """Word résumé using built-in Title / Heading styles, one Heading 2 per position."""
    doc = _new_docx(r)
    doc.add_heading(r.name, level=0)
    doc.add_paragraph(r.headline, style="Subtitle")
    doc.add_paragraph(" • ".join(r.contact_items()))
    doc.add_heading(r.heading("summary"), level=1)
    doc.add_paragraph(r.summary)
    doc.add_heading(r.heading("experience"), level=1)
    for job in r.experience:
        doc.add_heading(f"{job.title} – {job.company}", level=2)
        meta = doc.add_paragraph()
        meta.add_run(f"{job.location}  |  {job.dates}").italic = True
        _docx_bullets(doc, job.bullets)
    doc.add_heading(r.heading("education"), level=1)
    for d in r.education:
        doc.add_paragraph(_docx_degree(d))
    doc.add_heading(r.heading("skills"), level=1)
    _docx_bullets(doc, r.skills)
    for key, items in (("certifications", r.certifications), ("languages", r.languages), ("projects", r.projects)):
        if items:
            doc.add_heading(r.heading(key), level=1)
            _docx_bullets(doc, items)
    _save_docx(doc, path)


def _write_docx_table(r: Resume, path: Path) -> None:
    """Word résumé whose contact details and skills live in tables, with 'Heading:' labels."""
    doc = _new_docx(r)
    doc.add_heading(r.name, level=0)
    doc.add_paragraph(r.headline, style="Subtitle")
    rows = [("Email:", r.email), ("Phone:", r.phone), ("Location:", r.location)]
    rows += [("LinkedIn:" if "linkedin" in link else "Web:", link) for link in r.links]
    contact = doc.add_table(rows=0, cols=2)
    contact.style = "Table Grid"
    for label, value in rows:
        cells = contact.add_row().cells
        cells[0].text = label
        cells[0].paragraphs[0].runs[0].bold = True
        cells[1].text = value
    _docx_label(doc, f"{r.heading('summary')}:")
    doc.add_paragraph(r.summary)
    _docx_label(doc, f"{r.heading('experience')}:")
    _docx_jobs_inline(doc, r)
    _docx_label(doc, f"{r.heading('education')}:")
    for d in r.education:
        doc.add_paragraph(_docx_degree(d))
    _docx_label(doc, f"{r.heading('skills')}:")
    cols = 3
    skills = doc.add_table(rows=(len(r.skills) + cols - 1) // cols, cols=cols)
    skills.style = "Table Grid"
    for i, skill in enumerate(r.skills):
        skills.cell(i // cols, i % cols).text = skill
    for key, items in (("certifications", r.certifications), ("languages", r.languages), ("projects", r.projects)):
        if items:
            _docx_label(doc, f"{r.heading(key)}:")
            _docx_bullets(doc, items)
    _save_docx(doc, path)


# --------------------------------------------------------------------------------------------------
# TXT rendering
# --------------------------------------------------------------------------------------------------


def _txt_plain(r: Resume) -> str:
    """Plain text with underlined Title-case headings and wrapped paragraphs."""
    out = [r.name, r.headline, " | ".join(r.contact_items())]

    def section(key: str) -> None:
        title = r.heading(key)
        out.extend(["", title, "-" * len(title)])

    section("summary")
    out.extend(textwrap.wrap(r.summary, 88))
    section("experience")
    for job in r.experience:
        out.append(f"{job.title}, {job.company} ({job.location})")
        out.append(job.dates)
        out.extend(f"  * {b}" for b in job.bullets)
        out.append("")
    out.pop()
    section("education")
    out.extend(f"{d.degree} in {d.field} - {d.institution}, {d.year}" for d in r.education)
    section("skills")
    out.extend(textwrap.wrap(", ".join(r.skills), 88))
    for key, items in (("certifications", r.certifications), ("languages", r.languages), ("projects", r.projects)):
        if items:
            section(key)
            out.extend(f"  * {i}" for i in items)
    return "\n".join(out) + "\n"


def _txt_caps(r: Resume) -> str:
    """Plain text with CAPS headings, a multi-line contact block and dash bullets."""
    out = [r.name.upper(), r.headline, "", *r.contact_items()]
    rule = "=" * 72

    def section(key: str) -> None:
        out.extend(["", rule, r.heading(key).upper(), rule])

    section("summary")
    out.append(r.summary)
    section("experience")
    for job in r.experience:
        out.append(f"{job.dates}    {job.title}")
        out.append(f"{job.company}, {job.location}")
        out.extend(f"- {b}" for b in job.bullets)
        out.append("")
    out.pop()
    section("education")
    for d in r.education:
        out.append(f"{d.institution} ({d.year})")
        out.append(f"{d.degree} {d.field}")
    section("skills")
    out.append(" • ".join(r.skills))
    for key, items in (("certifications", r.certifications), ("languages", r.languages), ("projects", r.projects)):
        if items:
            section(key)
            out.extend(f"- {i}" for i in items)
    return "\n".join(out) + "\n"


def _txt_markdown(r: Resume) -> str:
    """Markdown-ish résumé of the kind people keep in a Git repository."""
    out = [f"# {r.name}", "", f"*{r.headline}*", ""]
    out.append(f"**Email:** {r.email} · **Phone:** {r.phone} · **Location:** {r.location}")
    if r.links:
        out.append("")
        out.append(" · ".join(f"<{link}>" for link in r.links))
    out.extend(["", f"## {r.heading('summary')}", "", r.summary])
    out.extend(["", f"## {r.heading('experience')}"])
    for job in r.experience:
        out.extend(["", f"### {job.title} — {job.company}", f"_{job.location}, {job.dates}_", ""])
        out.extend(f"- {b}" for b in job.bullets)
    out.extend(["", f"## {r.heading('education')}", ""])
    out.extend(f"- **{d.degree} {d.field}**, {d.institution}, {d.year}" for d in r.education)
    out.extend(["", f"## {r.heading('skills')}", "", ", ".join(r.skills)])
    for key, items in (("certifications", r.certifications), ("languages", r.languages), ("projects", r.projects)):
        if items:
            out.extend(["", f"## {r.heading(key)}", ""])
            out.extend(f"- {i}" for i in items)
    return "\n".join(out) + "\n"


def _text_writer(render: Callable[[Resume], str]) -> Callable[[Resume, Path], None]:
    def write(r: Resume, path: Path) -> None:
        path.write_text(render(r), encoding="utf-8")

    return write


WRITERS: dict[str, Callable[[Resume, Path], None]] = {
    "pdf_classic": lambda r, p: _write_pdf_single(r, p, caps=False),
    "pdf_caps": lambda r, p: _write_pdf_single(r, p, caps=True),
    "pdf_two_column": _write_pdf_two_column,
    "docx_colon": _write_docx_colon,
    "docx_styled": _write_docx_styled,
    "docx_table": _write_docx_table,
    "txt_plain": _text_writer(_txt_plain),
    "txt_caps": _text_writer(_txt_caps),
    "txt_markdown": _text_writer(_txt_markdown),
}


# --------------------------------------------------------------------------------------------------
# Postings, CSVs and driver
# --------------------------------------------------------------------------------------------------


def _posting_markdown(p: Posting) -> str:
    lines = [f"# {p.title}", "", f"**{p.company}** — {p.location}", "", textwrap.fill(p.description, 110), ""]
    lines += ["## Requirements", "", *(f"- {item}" for item in p.requirements), ""]
    lines += ["## Nice to have", "", *(f"- {item}" for item in p.nice_to_have)]
    return "\n".join(lines) + "\n"


def _interleaved_comments() -> list[tuple[str, str, str]]:
    """Round-robin over sources so the CSV reads like a mixed export rather than blocks per source."""
    rows: list[tuple[str, str, str]] = []
    columns = list(COMMENTS.items())
    for i in range(max(len(texts) for _, texts in columns)):
        for source, texts in columns:
            if i < len(texts):
                rows.append((f"c{len(rows) + 1:03d}", source, texts[i]))
    return rows


def _check_consistency() -> None:
    slugs = {p.slug for p in POSTINGS}
    names = [r.filename for r in RESUMES]
    assert len(set(names)) == len(names), "duplicate résumé file names"
    assert [r.number for r in RESUMES] == list(range(1, len(RESUMES) + 1)), "résumé numbers must be 1..N"
    for r in RESUMES:
        assert r.posting in slugs, f"{r.filename}: unknown posting {r.posting}"
        assert r.layout in WRITERS, f"{r.filename}: unknown layout {r.layout}"
        assert r.email.endswith(("@example.com", "@example.org")), f"{r.filename}: non-example email"
    for p in POSTINGS:
        fits = [r.fit for r in RESUMES if r.posting == p.slug]
        assert len(fits) >= 3 and "strong" in fits and "weak" in fits, f"{p.slug}: needs >=3 applicants, strong+weak"


def _clean(directory: Path, pattern: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(pattern):
        stale.unlink()


def main() -> None:
    _check_consistency()
    _register_fonts()

    for extension in ("pdf", "docx", "txt"):
        _clean(RESUMES_DIR, f"*.{extension}")
    for r in RESUMES:
        WRITERS[r.layout](r, RESUMES_DIR / r.filename)

    _clean(POSTINGS_DIR, "*.md")
    for p in POSTINGS:
        (POSTINGS_DIR / f"{p.slug}.md").write_text(_posting_markdown(p), encoding="utf-8")

    with (SAMPLES_DIR / "applications.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["resume", "posting"])
        writer.writerows((r.filename, r.posting) for r in RESUMES)

    with (SAMPLES_DIR / "comments.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "source", "text"])
        writer.writerows(_interleaved_comments())

    print(f"Wrote {len(RESUMES)} résumés, {len(POSTINGS)} postings, applications.csv and comments.csv to {SAMPLES_DIR}")


if __name__ == "__main__":
    main()
