"""Generate deterministic synthetic raw exports for the customer-service KPI warehouse.

Writes one file per export table of the raw contract (`scripts/raw_contract.py`, which reads
`models/staging/*/_*__sources.yml`; prose in `../shared/docs/raw-contract.md`): `<table>.csv`
(or `.parquet`) with a header row and the columns in contract order.

The data behaves like a real support organisation so that every KPI of the catalogue comes out
plausible and varies over time and by breakdown: weekly and daily seasonality, agents of
different skill and speed (skill drives reply speed, reopens, QA scores and survey scores),
ticket audit trails with reopens and unresolved backlog, calls, chats, self-service, surveys,
subscriptions whose churn rises with the customer's support effort, orders and engagement.

Like a real export it is not perfectly clean: ~5 % of timestamps carry a UTC offset, ~1 % of
enum values are in odd case or padded with spaces and a few booleans are 1/0/yes/no (all valid).
With `--bad-row-rate R` about R x rows rule-breaking rows (unparseable timestamp, unknown enum,
missing primary key, table rules such as an end before its start) and about R x rows exact
re-delivered duplicates are mixed into every table. Rule-breaking rows get fresh ids, so no
other table references them.

Everything is vectorised with numpy and written by DuckDB; the output is byte-identical for the
same arguments. Example (2 M tickets, ~15 M ticket events: ~40 s and ~1 GiB on 2 cores):

    python scripts/generate_exports.py --out /tmp/exports --tickets 2000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from tqdm import tqdm

try:
    from raw_contract import Table, load_contract
except ModuleNotFoundError:  # imported as `scripts.generate_exports`
    from scripts.raw_contract import Table, load_contract

Array = np.ndarray
Columns = dict[str, Array]

MINUTE = 60
HOUR = 3_600
DAY = 86_400
TICKET_CHUNK = 200_000  # tickets per chunk of the ticket-event table (bounds memory)

# ---------------------------------------------------------------------------------------------
# Vocabularies. Enum lists are checked against the contract at start-up (_check_vocabulary).
# ---------------------------------------------------------------------------------------------
CHANNELS = ("email", "web", "chat", "phone", "social")
CHANNEL_P = (0.35, 0.25, 0.15, 0.15, 0.10)
EMAIL, WEB, CHAT, PHONE, SOCIAL = range(5)
ASYNC_CHANNELS = (EMAIL, WEB, SOCIAL)
CATEGORIES = ("billing", "shipping", "technical", "account", "returns", "other")
CATEGORY_P = (0.22, 0.18, 0.25, 0.15, 0.12, 0.08)
CATEGORY_COMPLEXITY = np.array([0.9, 0.8, 1.5, 1.0, 0.9, 0.7])
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_P = (0.25, 0.50, 0.18, 0.07)
PRIORITY_SPEED = np.array([1.4, 1.0, 0.6, 0.3])
TIERS = ("enterprise", "business", "free")
TIER_P = (0.10, 0.30, 0.60)
TIER_SPEED = np.array([0.6, 0.85, 1.1])
TIER_TICKET_WEIGHT = np.array([2.0, 1.3, 0.8])
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED = range(6)
EVENT_TYPES = (
    "customer_message",
    "agent_reply",
    "internal_note",
    "status_change",
    "assignment",
    "field_change",
)
CUSTOMER_MESSAGE, AGENT_REPLY, INTERNAL_NOTE, STATUS_CHANGE, ASSIGNMENT, FIELD_CHANGE = range(6)
ACQUISITION = ("organic", "paid", "referral", "partner", "other")
ACQUISITION_P = (0.42, 0.23, 0.15, 0.12, 0.08)
REFERRAL = 2
CALL_OUTCOMES = ("answered", "abandoned", "blocked", "voicemail")
BLOCKED_REASONS = ("no_agent", "network")
CHAT_OUTCOMES = ("answered", "missed", "bot_resolved")
SELF_SERVICE_SOURCES = ("help_center", "chatbot", "ivr")
HELP_CENTER, CHATBOT, IVR = range(3)
VOTES = ("yes", "no")
ORDER_STATUSES = ("completed", "refunded", "cancelled")
SURVEY_TYPES = ("csat", "nps", "ces", "cx")
CSAT, NPS, CES, CX = range(4)
TOUCHPOINT_ACTIONS = (  # (touchpoint, action, share)
    ("website", "visit", 0.22),
    ("website", "click", 0.10),
    ("website", "purchase", 0.025),
    ("app", "login", 0.12),
    ("app", "visit", 0.08),
    ("app", "click", 0.05),
    ("app", "purchase", 0.015),
    ("email", "open", 0.12),
    ("email", "click", 0.05),
    ("social", "reaction", 0.07),
    ("social", "click", 0.03),
    ("blog", "visit", 0.06),
    ("support", "visit", 0.06),
)
TOUCHPOINTS = ("website", "app", "social", "email", "blog", "support")
ACTIONS = ("visit", "click", "reaction", "open", "login", "purchase")
TASKS = (  # (task_name, expected_seconds)
    ("create_project", 120),
    ("invite_teammate", 60),
    ("connect_integration", 600),
    ("export_report", 90),
    ("setup_billing", 180),
)
QUEUES = ("general", "billing", "technical", "priority")
PLANS = (("starter", 29.0), ("team", 99.0), ("business", 299.0), ("enterprise", 1490.0))
TEAMS = ("Frontline", "Billing", "Technical", "Voice", "Escalations")
BOT_TEAM = "Automation"
BOT_NAMES = ("Answer Bot", "Chat Assistant", "Routing Bot")
FIRST_NAMES = (
    "Anna", "Ben", "Chiara", "Dmitri", "Elena", "Femi", "Giulia", "Hiro", "Ines", "Jan",
    "Katarzyna", "Li", "Marco", "Nadia", "Oleg", "Paula", "Quentin", "Rosa", "Sven", "Tomasz",
    "Uma", "Viktor", "Wei", "Xenia", "Yusuf", "Zofia", "Olga", "Luca", "Mei", "Piotr",
)  # fmt: skip
LAST_NAMES = (
    "Rossi", "Nowak", "Ivanova", "Wang", "Mueller", "Garcia", "Smith", "Kowalski", "Bianchi",
    "Petrov", "Chen", "Dubois", "Jansen", "Silva", "Novak", "Larsen", "Costa", "Fischer",
    "Sato", "Okafor", "Moreau", "Ricci", "Zhang", "Lewandowska", "Kuznetsov", "Brown",
)  # fmt: skip
COUNTRIES = ("DE", "FR", "GB", "US", "PL", "IT", "ES", "NL", "SE", "RU", "CN", "BR", "IN", "CA")
COUNTRY_P = (0.14, 0.1, 0.12, 0.16, 0.08, 0.09, 0.06, 0.05, 0.03, 0.04, 0.04, 0.03, 0.03, 0.03)
COMMENTS = (  # by sentiment: negative 0-3, neutral 4-6, positive 7-10, with personal data 11-12
    "Took far too long to get an answer.",
    "I had to explain my problem three times.",
    "Still not fixed, very disappointed.",
    "Nobody called me back.",
    "OK, but the reply could have been clearer.",
    "Fine, problem solved in the end.",
    "Average experience.",
    "Quick and friendly, thank you!",
    "Great support, solved at the first try.",
    "The agent was very helpful.",
    "Excellent service, as always.",
    "Please call me back on +44 20 7946 0958, I am Anna Rossi.",
    "My email is jan.nowak@example.com, nobody answered it.",
)
# Weekday (Mon..Sun), month (Jan..Dec) and hour-of-day (UTC) volume profiles.
WEEKDAY_FACTOR = np.array([1.15, 1.12, 1.08, 1.05, 0.95, 0.45, 0.30])
MONTH_FACTOR = np.array([1.05, 0.98, 1.0, 0.97, 0.95, 0.9, 0.85, 0.85, 1.0, 1.02, 1.12, 1.25])
HOURLY_WEEKDAY = np.array(
    [0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.9, 1.5, 1.9, 2.0, 1.9]
    + [1.6, 1.8, 1.9, 1.8, 1.6, 1.3, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2]
)
HOURLY_WEEKEND = np.array(
    [0.3, 0.2, 0.15, 0.12, 0.12, 0.15, 0.25, 0.45, 0.7, 0.9, 1.0, 1.05]
    + [1.05, 1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.65, 0.55, 0.45, 0.35]
)
BUSINESS_OPEN, BUSINESS_CLOSE = 8 * HOUR, 18 * HOUR  # UTC, Monday to Friday
# Ticket timing (seconds) by channel: median first response, solve delay, follow-up scale.
FRT_MEDIAN = np.array([3 * HOUR, 2.5 * HOUR, 90.0, 240.0, 1.5 * HOUR])
SOLVE_MEDIAN = np.array([40 * MINUTE, 30 * MINUTE, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE])
FOLLOW_UP_SCALE = np.array([1.0, 1.0, 0.02, 0.6, 0.8])
CUSTOMER_DELAY, AGENT_DELAY, FOLLOW_UP_DELAY = 4 * HOUR, 2 * HOUR, 6 * HOUR
# Bad rows: values that break the contract.
BAD_TIMESTAMPS = ("2024-13-45T99:00", "2024-02-30 25:61:00", "yesterday", "31/12/2024 10:00")
UNKNOWN_ENUMS = ("fax", "unknown", "n/a", "??")
BAD_BOOLEANS = ("maybe", "2", "ja", "?")
TZ_OFFSETS = ((60, "+01:00"), (120, "+02:00"), (-300, "-05:00"), (330, "+05:30"))
KIND_OK, KIND_DUPLICATE, KIND_TIMESTAMP, KIND_ENUM, KIND_MISSING_KEY, KIND_RULE = range(6)

SQL_MACROS = f"""
CREATE OR REPLACE MACRO fts(s, z) AS CASE
    WHEN s IS NULL OR s < 0 THEN NULL
    WHEN z = 0 THEN strftime(make_timestamp(CAST(s AS BIGINT) * 1000000), '%Y-%m-%dT%H:%M:%SZ')
    ELSE strftime(
        make_timestamp((CAST(s AS BIGINT) + {[m * 60 for m, _ in TZ_OFFSETS]}[z]) * 1000000),
        '%Y-%m-%dT%H:%M:%S'
    ) || {[o for _, o in TZ_OFFSETS]}[z]
END;
CREATE OR REPLACE MACRO oddcase(v, o) AS CASE o
    WHEN 1 THEN upper(v[1]) || v[2:] WHEN 2 THEN ' ' || v || ' ' WHEN 3 THEN upper(v) ELSE v
END;
CREATE OR REPLACE MACRO fen(vals, c, o) AS CASE WHEN c >= 0 THEN oddcase(vals[c + 1], o) END;
CREATE OR REPLACE MACRO flk(vals, c) AS CASE WHEN c >= 0 THEN vals[c + 1] END;
CREATE OR REPLACE MACRO fbool(b, v) AS CASE WHEN b >= 0 THEN
    [['false', 'true'], ['0', '1'], ['no', 'yes'], ['False', 'True']][v + 1][b + 1] END;
CREATE OR REPLACE MACRO fint(x) AS CASE WHEN x >= 0 THEN CAST(x AS VARCHAR) END;
"""


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def stream(seed: int, name: str, index: int = 0) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the data set."""
    return np.random.default_rng([seed, zlib.crc32(name.encode()), index])


def lognormal(rng: np.random.Generator, median: float | Array, sigma: float, n: int) -> Array:
    """Log-normal draws with the given median."""
    return np.asarray(median) * rng.lognormal(0.0, sigma, n)


def choice(rng: np.random.Generator, p: Iterable[float], n: int) -> Array:
    """Category codes (int8) drawn with the given probabilities."""
    probs = np.asarray(tuple(p), dtype=float)
    return rng.choice(len(probs), size=n, p=probs / probs.sum()).astype(np.int8)


def sql_list(values: Iterable[str]) -> str:
    """A DuckDB list literal of strings."""
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def sql_id(prefix: str, column: str, width: int) -> str:
    """SQL for an id string (`T-0000123`) from a 0-based number column; negative = empty."""
    return f"CASE WHEN {column} >= 0 THEN printf('{prefix}%0{width}d', {column} + 1) END"


def sql_ts(column: str) -> str:
    return f"fts({column}, _tz)"


def sql_enum(values: Iterable[str], column: str) -> str:
    return f"fen({sql_list(values)}, {column}, _odd)"


def sql_lookup(values: Iterable[str], column: str) -> str:
    return f"flk({sql_list(values)}, {column})"


def id_width(default: int, upper_bound: int) -> int:
    """Digits of an id: the default, or more when the table can hold more rows."""
    return max(default, len(str(max(upper_bound, 1))))


def to_seconds(values: Array) -> Array:
    """Float timestamps to int64 epoch seconds (monotone: floor for positive values)."""
    return np.asarray(values, dtype=np.float64).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Calendar: seasonality, load and business hours
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Calendar:
    """The export window with a relative volume weight (mean 1) for each day."""

    start: int
    days: int
    day_weight: Array

    @property
    def end(self) -> int:
        return self.start + self.days * DAY

    def day_index(self, t: Array) -> Array:
        return np.clip((np.asarray(t) - self.start) // DAY, 0, self.days - 1).astype(np.int64)

    def day_load(self, t: Array) -> Array:
        """Relative workload of the day containing t (staffing is flat, so queues grow)."""
        return self.day_weight[self.day_index(t)]

    def hour_load(self, t: Array) -> Array:
        """Relative workload of the hour containing t, for queue waits (clipped)."""
        hour = (np.asarray(t, dtype=np.int64) // HOUR) % 24
        profile = HOURLY_WEEKDAY / HOURLY_WEEKDAY[8:18].mean()
        return np.clip(self.day_load(t) * profile[hour], 0.2, 3.0)


def make_calendar(start: dt.date, days: int, rng: np.random.Generator) -> Calendar:
    """Day weights: weekday x month x growth trend x holidays x noise."""
    first_day = (start - dt.date(1970, 1, 1)).days
    offset = np.arange(days)
    dates = np.datetime64(start.isoformat(), "D") + offset
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    holiday = ((month == 11) & (day_of_month >= 24) & (day_of_month <= 26)) | (
        (month == 0) & (day_of_month == 1)
    )
    weight = (
        WEEKDAY_FACTOR[(first_day + offset + 3) % 7]
        * MONTH_FACTOR[month]
        * (1.0 + 0.3 * offset / max(days - 1, 1))
        * np.where(holiday, 0.35, 1.0)
        * rng.lognormal(0.0, 0.08, days)
    )
    return Calendar(start=first_day * DAY, days=days, day_weight=weight / weight.mean())


def sample_times(
    rng: np.random.Generator, cal: Calendar, n: int, day_weight: Array | None = None
) -> Array:
    """n timestamps in the window following the weekly and daily seasonality."""
    weight = cal.day_weight if day_weight is None else day_weight
    day = rng.choice(cal.days, size=n, p=weight / weight.sum()).astype(np.int64)
    weekend = (cal.start // DAY + day + 3) % 7 >= 5
    hour = np.where(
        weekend,
        rng.choice(24, size=n, p=HOURLY_WEEKEND / HOURLY_WEEKEND.sum()),
        rng.choice(24, size=n, p=HOURLY_WEEKDAY / HOURLY_WEEKDAY.sum()),
    )
    return cal.start + day * DAY + hour * HOUR + rng.integers(0, HOUR, n)


def next_business(t: Array) -> Array:
    """t itself inside business hours (Mon-Fri 08-18 UTC), else the next opening."""
    t = np.asarray(t, dtype=np.float64)
    day = np.floor(t / DAY)
    second = t - day * DAY
    weekday = (day + 3) % 7
    inside = (weekday < 5) & (second >= BUSINESS_OPEN) & (second < BUSINESS_CLOSE)
    same_day = (weekday < 5) & (second < BUSINESS_OPEN)
    next_day = day + 1
    next_weekday = (next_day + 3) % 7
    next_day += np.where(next_weekday == 5, 2, np.where(next_weekday == 6, 1, 0))
    opening = np.where(same_day, day, next_day) * DAY + BUSINESS_OPEN
    return np.where(inside, t, opening)


def prefix_pick(rng: np.random.Generator, starts: Array, cum_weight: Array, t: Array) -> Array:
    """For each time, a weighted pick among the entities that exist then (starts is sorted)."""
    eligible = np.maximum(np.searchsorted(starts, t, side="right"), 1)
    target = rng.random(len(t)) * cum_weight[eligible - 1]
    return np.minimum(np.searchsorted(cum_weight, target, side="right"), eligible - 1)


# ---------------------------------------------------------------------------------------------
# Entities: agents, customers, tickets
# ---------------------------------------------------------------------------------------------
@dataclass
class Agents:
    """Support agents; indices 0-2 are bots (answer, chat, routing), the rest people."""

    team: Array
    team_names: tuple[str, ...]
    is_bot: Array
    skill: Array
    capacity: Array
    hired: Array
    left: Array
    first_name: Array
    last_name: Array

    BOT_ANSWER, BOT_CHAT, BOT_ROUTING = 0, 1, 2

    @property
    def n(self) -> int:
        return len(self.skill)

    @property
    def humans(self) -> Array:
        return np.flatnonzero(~self.is_bot)

    @property
    def core(self) -> Array:
        """People employed through the whole window (fallback for picks)."""
        humans = self.humans
        return humans[self.left[humans] < 0][:3] if len(humans) else humans

    def speed(self, agent: Array) -> Array:
        """Delay multiplier: skilled agents are faster."""
        return np.exp(1.2 * (0.6 - self.skill[agent]))

    def active(self, agent: Array, t: Array) -> Array:
        left = self.left[agent]
        return (self.hired[agent] <= t) & ((left < 0) | (left > t + 14 * DAY))


def make_agents(rng: np.random.Generator, n_tickets: int, cal: Calendar) -> Agents:
    """15 + N/1000 agents (at most 400) of 3-6 teams, 3 of them bots."""
    n = min(400, 15 + n_tickets // 1000)
    n_humans = n - len(BOT_NAMES)
    n_teams = int(np.clip(n_humans // 6, 2, len(TEAMS)))
    team = choice(rng, (0.35, 0.2, 0.2, 0.15, 0.1)[:n_teams], n_humans)
    team[:n_teams] = np.arange(n_teams)
    skill = np.clip(rng.beta(5, 3, n_humans) + np.where(team == 4, 0.1, 0.0), 0.15, 0.97)
    before = rng.random(n_humans) < 0.75
    before[:n_teams] = True
    hired = np.where(
        before,
        cal.start - rng.uniform(60, 5 * 365, n_humans) * DAY,
        cal.start + rng.uniform(0, 0.8 * cal.days, n_humans) * DAY,
    )
    leaves = rng.random(n_humans) < 0.12
    leaves[:n_teams] = False
    left_at = np.maximum(cal.start + rng.uniform(0, cal.days, n_humans) * DAY, hired + 90 * DAY)
    left = np.where(leaves & (left_at < cal.end), left_at, -1)
    n_bots = len(BOT_NAMES)
    return Agents(
        team=np.concatenate([np.full(n_bots, n_teams), team]).astype(np.int8),
        team_names=TEAMS[:n_teams] + (BOT_TEAM,),
        is_bot=np.arange(n) < n_bots,
        skill=np.concatenate([np.full(n_bots, 0.5), skill]),
        capacity=np.concatenate([np.zeros(n_bots), rng.lognormal(0, 0.35, n_humans)]),
        hired=to_seconds(np.concatenate([np.full(n_bots, cal.start - 400.0 * DAY), hired])),
        left=to_seconds(np.concatenate([np.full(n_bots, -1.0), left])),
        first_name=np.concatenate([np.arange(n_bots), rng.integers(0, len(FIRST_NAMES), n_humans)]),
        last_name=rng.integers(0, len(LAST_NAMES), n),
    )


def pick_agents(
    rng: np.random.Generator, agents: Agents, t: Array, weight: Array | None = None
) -> Array:
    """A person employed at each time t, drawn by capacity x weight."""
    pool = agents.humans
    w = agents.capacity[pool] * (1.0 if weight is None else weight[pool])
    cum = np.cumsum(w)
    out = np.full(len(t), -1, dtype=np.int16)
    todo = np.arange(len(t))
    for _ in range(12):
        draw = pool[np.searchsorted(cum, rng.random(len(todo)) * cum[-1], side="right")]
        ok = agents.active(draw, t[todo])
        out[todo[ok]] = draw[ok]
        todo = todo[~ok]
        if not len(todo):
            break
    if len(todo):
        out[todo] = rng.choice(agents.core, len(todo))
    return out


@dataclass
class Customers:
    """Customers in sign-up order (customer i has id C-<i+1>)."""

    signed_up: Array
    tier: Array
    country: Array
    first_name: Array
    last_name: Array
    acquisition: Array
    referred_by: Array
    activity: Array  # relative propensity to contact support / buy / engage

    @property
    def n(self) -> int:
        return len(self.signed_up)

    def pick(self, rng: np.random.Generator, t: Array, weight: Array | None = None) -> Array:
        """Customers signed up before each time t, drawn by weight (default: activity)."""
        w = self.activity if weight is None else weight
        return prefix_pick(rng, self.signed_up, np.cumsum(w), t)


def make_customers(rng: np.random.Generator, n_tickets: int, cal: Calendar) -> Customers:
    """0.2 N customers signed up over the two years before and during the window."""
    n = max(30, round(0.2 * n_tickets))
    before = rng.random(n) < 0.7
    signed_up = np.sort(
        to_seconds(
            np.where(
                before,
                cal.start - rng.uniform(0, 730, n) * DAY,
                cal.start + rng.uniform(0, cal.days, n) * DAY,
            )
        )
    )
    signed_up[0] = min(signed_up[0], cal.start - DAY)
    tier = choice(rng, TIER_P, n)
    acquisition = choice(rng, ACQUISITION_P, n)
    acquisition[0] = 0
    referral = acquisition == REFERRAL
    referred_by = np.where(referral, np.floor(rng.random(n) * np.arange(n)), -1).astype(np.int64)
    return Customers(
        signed_up=signed_up,
        tier=tier,
        country=choice(rng, COUNTRY_P, n),
        first_name=rng.integers(0, len(FIRST_NAMES), n),
        last_name=rng.integers(0, len(LAST_NAMES), n),
        acquisition=acquisition,
        referred_by=referred_by,
        activity=rng.lognormal(0, 1.0, n) * TIER_TICKET_WEIGHT[tier],
    )


@dataclass
class Tickets:
    """Tickets in creation order; the outcome columns are filled by the timeline."""

    created: Array
    channel: Array
    category: Array
    priority: Array
    customer: Array
    agent1: Array
    agent2: Array
    status: Array
    assignee: Array
    first_reply: Array
    final_resolution: Array
    reopens: Array
    replies: Array

    @property
    def n(self) -> int:
        return len(self.created)


def make_tickets(
    rng: np.random.Generator, n: int, cal: Calendar, customers: Customers, agents: Agents
) -> Tickets:
    """Ticket attributes drawn up front: time, channel, category, priority, customer, agents."""
    created = np.sort(sample_times(rng, cal, n))
    customer = customers.pick(rng, created)
    priority = choice(rng, PRIORITY_P, n)
    bump = (customers.tier[customer] == 0) & (rng.random(n) < 0.3)
    priority = np.minimum(priority + bump, len(PRIORITIES) - 1).astype(np.int8)
    return Tickets(
        created=created,
        channel=choice(rng, CHANNEL_P, n),
        category=choice(rng, CATEGORY_P, n),
        priority=priority,
        customer=customer,
        agent1=pick_agents(rng, agents, created),
        agent2=pick_agents(rng, agents, created, weight=agents.skill**3),
        status=np.zeros(n, np.int8),
        assignee=np.full(n, -1, np.int16),
        first_reply=np.full(n, -1, np.int64),
        final_resolution=np.full(n, -1, np.int64),
        reopens=np.zeros(n, np.int8),
        replies=np.zeros(n, np.int8),
    )


# ---------------------------------------------------------------------------------------------
# Ticket timeline: a fixed sequence of event slots, each present or not per ticket
# ---------------------------------------------------------------------------------------------
SLOTS = (  # (event type, is_public) in chronological order
    (CUSTOMER_MESSAGE, 1),  # 0 the initial contact (not for phone tickets)
    (AGENT_REPLY, 1),  # 1 bot auto-reply
    (ASSIGNMENT, -1),  # 2 routing to the first agent
    (STATUS_CHANGE, -1),  # 3 -> open
    (FIELD_CHANGE, -1),  # 4
    (INTERNAL_NOTE, 0),  # 5
    (AGENT_REPLY, 1),  # 6 first agent reply
    (CUSTOMER_MESSAGE, 1),  # 7
    (ASSIGNMENT, -1),  # 8 hand-over to a second agent
    (AGENT_REPLY, 1),  # 9 reply 2
    (CUSTOMER_MESSAGE, 1),  # 10
    (AGENT_REPLY, 1),  # 11 reply 3
    (CUSTOMER_MESSAGE, 1),  # 12
    (AGENT_REPLY, 1),  # 13 reply 4
    (STATUS_CHANGE, -1),  # 14 -> pending / on_hold
    (STATUS_CHANGE, -1),  # 15 -> solved (or closed directly)
    (CUSTOMER_MESSAGE, 1),  # 16 reopen 1: the customer writes again
    (STATUS_CHANGE, -1),  # 17 -> open
    (AGENT_REPLY, 1),  # 18
    (STATUS_CHANGE, -1),  # 19 -> solved
    (CUSTOMER_MESSAGE, 1),  # 20 reopen 2
    (STATUS_CHANGE, -1),  # 21 -> open
    (AGENT_REPLY, 1),  # 22
    (STATUS_CHANGE, -1),  # 23 -> solved
    (STATUS_CHANGE, -1),  # 24 -> closed (automatically, days after solved)
)
SLOT_EVENT = np.array([s[0] for s in SLOTS], dtype=np.int8)
SLOT_PUBLIC = np.array([s[1] for s in SLOTS], dtype=np.int8)
HUMAN_REPLY_SLOTS = (6, 9, 11, 13, 18, 22)
STATUS_SLOTS = tuple(i for i, s in enumerate(SLOTS) if s[0] == STATUS_CHANGE)


class SlotMatrix:
    """Per ticket and slot: time, presence, acting agent, status entered, new assignee."""

    def __init__(self, n: int) -> None:
        self.time = np.zeros((n, len(SLOTS)))
        self.present = np.zeros((n, len(SLOTS)), dtype=bool)
        self.agent = np.full((n, len(SLOTS)), -1, dtype=np.int16)
        self.status = np.full((n, len(SLOTS)), -1, dtype=np.int8)
        self.assignee = np.full((n, len(SLOTS)), -1, dtype=np.int16)

    def set(
        self,
        slot: int,
        t: Array,
        present: Array,
        agent: Array | int = -1,
        status: Array | int = -1,
        assignee: Array | int = -1,
    ) -> None:
        self.time[:, slot] = t
        self.present[:, slot] = present
        self.agent[:, slot] = agent
        self.status[:, slot] = status
        self.assignee[:, slot] = assignee


@dataclass
class TicketContext:
    """The attributes of one chunk of tickets that the timeline needs."""

    t0: Array
    channel: Array
    category: Array
    priority: Array
    tier: Array
    agent1: Array
    agent2: Array
    is_async: Array
    load: Array
    scale: Array

    @property
    def n(self) -> int:
        return len(self.t0)


@dataclass
class TicketPlan:
    """Per-ticket random decisions of one chunk."""

    stuck: Array  # never resolved within the window
    unassigned: Array
    direct_close: Array  # closed without passing solved
    replies: Array  # number of human replies, 0-4
    customer_first: Array  # (n, 3): a customer message precedes reply 2, 3, 4
    awaiting: Array  # stuck with a last customer message unanswered
    pending: Array
    on_hold: Array
    bot: Array
    field_change: Array
    note: Array
    reassign: Array
    reopen1: Array
    reopen2: Array

    @property
    def current_agent_is_second(self) -> Array:
        return self.reassign & (self.replies >= 2)


def plan_tickets(rng: np.random.Generator, ctx: TicketContext, skill1: Array) -> TicketPlan:
    n = ctx.n
    stuck = rng.random(n) < 0.075
    unassigned = stuck & (rng.random(n) < 0.3)
    no_reply = ~stuck & (rng.random(n) < 0.03)
    direct_close = ~stuck & (rng.random(n) < np.where(no_reply, 0.5, 0.01))
    more = CATEGORY_COMPLEXITY[ctx.category] * np.exp(-0.9 * (skill1 - 0.6))
    more = np.clip(0.16 * more * np.where(ctx.channel == CHAT, 0.6, 1.0), 0.02, 0.85)
    replies = np.where(unassigned | no_reply, 0, 1 + rng.binomial(3, more)).astype(np.int8)
    awaiting = stuck & (replies >= 1) & (replies <= 3) & (rng.random(n) < 0.4)
    pending = np.where(
        stuck,
        ~unassigned & ~awaiting & (rng.random(n) < 0.55),
        ctx.is_async & (replies >= 1) & (rng.random(n) < 0.35),
    )
    reopen = 0.1 * CATEGORY_COMPLEXITY[ctx.category] * np.exp(-2.0 * (skill1 - 0.6))
    reopen1 = ~stuck & ~direct_close & (rng.random(n) < np.clip(reopen, 0.0, 0.6))
    return TicketPlan(
        stuck=stuck,
        unassigned=unassigned,
        direct_close=direct_close,
        replies=replies,
        customer_first=rng.random((n, 3)) < 0.7,
        awaiting=awaiting,
        pending=pending,
        on_hold=stuck & pending & (rng.random(n) < 0.25),
        bot=np.isin(ctx.channel, (EMAIL, WEB)) & (rng.random(n) < 0.35),
        field_change=rng.random(n) < 0.12,
        note=rng.random(n) < 0.15,
        reassign=rng.random(n) < 0.12,
        reopen1=reopen1,
        reopen2=reopen1 & (rng.random(n) < 0.2),
    )


def _intake(
    rng: np.random.Generator, s: SlotMatrix, ctx: TicketContext, plan: TicketPlan, agents: Agents
) -> Array:
    """Slots 0-6: contact, bot reply, routing, open, field change, note, first reply."""
    n = ctx.n
    t_bot = ctx.t0 + rng.uniform(5, 60, n)
    s.set(0, ctx.t0, ctx.channel != PHONE)
    s.set(1, t_bot, plan.bot, agent=Agents.BOT_ANSWER)
    routing = np.where(
        ctx.is_async,
        np.clip(lognormal(rng, 4 * MINUTE, 1.0, n), 10, 6 * HOUR),
        rng.uniform(3, 45, n),
    )
    t_assign = np.where(plan.bot, np.maximum(ctx.t0 + routing, t_bot + 1), ctx.t0 + routing)
    assigned = ~plan.unassigned
    s.set(2, t_assign, assigned, agent=Agents.BOT_ROUTING, assignee=ctx.agent1)
    s.set(3, t_assign + 1, assigned, agent=ctx.agent1, status=OPEN)
    frt = (
        FRT_MEDIAN[ctx.channel]
        * PRIORITY_SPEED[ctx.priority]
        * TIER_SPEED[ctx.tier]
        * agents.speed(ctx.agent1)
        * ctx.load
        * rng.lognormal(0, 0.8, n)
    )
    base = np.where(ctx.is_async, next_business(t_assign), t_assign)
    t_reply = np.maximum(base + frt, t_assign + 30)
    gap = t_reply - t_assign - 1
    s.set(
        4, t_assign + 1 + gap * rng.uniform(0.05, 0.3, n), assigned & plan.field_change, ctx.agent1
    )
    s.set(5, t_assign + 1 + gap * rng.uniform(0.35, 0.9, n), assigned & plan.note, ctx.agent1)
    s.set(6, t_reply, plan.replies >= 1, agent=ctx.agent1)
    return t_reply


def _follow_ups(
    rng: np.random.Generator,
    s: SlotMatrix,
    ctx: TicketContext,
    plan: TicketPlan,
    agents: Agents,
    t_reply: Array,
) -> Array:
    """Slots 7-13: further customer messages and replies 2-4, with an optional hand-over."""
    n = ctx.n
    current = np.where(plan.reassign, ctx.agent2, ctx.agent1)
    speed = agents.speed(current) * ctx.load * ctx.scale
    prev = t_reply
    for k, (message_slot, reply_slot) in zip((2, 3, 4), ((7, 9), (10, 11), (12, 13)), strict=True):
        has = plan.replies >= k
        wants = plan.customer_first[:, k - 2]
        t_message = prev + CUSTOMER_DELAY * ctx.scale * rng.lognormal(0, 1.1, n)
        begin = np.where(wants, t_message, prev)
        begin = np.where(ctx.is_async, next_business(begin), begin)
        delay = np.where(wants, AGENT_DELAY, FOLLOW_UP_DELAY) * speed * rng.lognormal(0, 0.9, n)
        t_next = begin + np.maximum(delay, 20)
        awaiting = plan.awaiting & (plan.replies == k - 1)
        s.set(message_slot, t_message, (has & wants) | awaiting)
        if k == 2:
            handover = np.where(wants, t_message, prev)
            handover = handover + (t_next - handover) * rng.uniform(0.2, 0.8, n)
            s.set(8, handover, has & plan.reassign, agent=ctx.agent1, assignee=ctx.agent2)
        s.set(reply_slot, t_next, has, agent=np.where(has & plan.reassign, ctx.agent2, ctx.agent1))
        prev = np.where(has, t_next, prev)
    return prev


def _resolution(
    rng: np.random.Generator,
    s: SlotMatrix,
    ctx: TicketContext,
    plan: TicketPlan,
    agents: Agents,
    t_last: Array,
) -> None:
    """Slots 14-24: pending, solved, up to two reopen cycles, automatic close."""
    n = ctx.n
    current = np.where(plan.current_agent_is_second, ctx.agent2, ctx.agent1)
    t_pending = t_last + rng.uniform(5, 300, n)
    pending_status = np.where(plan.on_hold, ON_HOLD, PENDING)
    s.set(14, t_pending, plan.pending, agent=current, status=pending_status)
    t_solved = np.where(
        plan.pending,
        t_pending + lognormal(rng, 1.5 * DAY, 0.5, n),
        t_last + SOLVE_MEDIAN[ctx.channel] * rng.lognormal(0, 1.0, n),
    )
    resolved = ~plan.stuck
    status = np.where(plan.direct_close, CLOSED, SOLVED)
    s.set(15, t_solved, resolved, agent=current, status=status)
    speed = agents.speed(current) * ctx.load * ctx.scale
    prev = t_solved
    for cycle, flag in enumerate((plan.reopen1, plan.reopen2)):
        slot = 16 + 4 * cycle
        t_message = prev + np.clip(lognormal(rng, 18 * HOUR, 1.0, n), 600, 3.5 * DAY)
        t_open = t_message + rng.uniform(1, 120, n)
        begin = np.where(ctx.is_async, next_business(t_open), t_open)
        t_reply = begin + np.maximum(AGENT_DELAY * speed * rng.lognormal(0, 0.9, n), 20)
        t_again = t_reply + lognormal(rng, HOUR, 1.2, n)
        s.set(slot, t_message, flag)
        s.set(slot + 1, t_open, flag, status=OPEN)
        s.set(slot + 2, t_reply, flag, agent=current)
        s.set(slot + 3, t_again, flag, agent=current, status=SOLVED)
        prev = np.where(flag, t_again, prev)
    s.set(24, prev + rng.uniform(3, 7, n) * DAY, resolved & ~plan.direct_close, status=CLOSED)


def _summarise(s: SlotMatrix, present: Array, t: Array, ctx: TicketContext) -> Columns:
    """Per-ticket outcome from the events inside the window."""
    status = np.full(ctx.n, NEW, dtype=np.int8)
    for slot in STATUS_SLOTS:
        status = np.where(present[:, slot], s.status[:, slot], status)
    resolution = np.full(ctx.n, -1, dtype=np.int64)
    for slot in (15, 19, 23):
        resolution = np.where(present[:, slot], t[:, slot], resolution)
    resolved = (status == SOLVED) | (status == CLOSED)
    assignee = np.where(present[:, 8], ctx.agent2, np.where(present[:, 2], ctx.agent1, -1))
    return {
        "status": status,
        "assignee": assignee.astype(np.int16),
        "first_reply": np.where(present[:, 6], t[:, 6], -1),
        "final_resolution": np.where(resolved, resolution, -1),
        "reopens": (present[:, 17].astype(np.int8) + present[:, 21]).astype(np.int8),
        "replies": present[:, list(HUMAN_REPLY_SLOTS)].sum(axis=1).astype(np.int8),
    }


def ticket_context(
    tk: Tickets, lo: int, hi: int, customers: Customers, cal: Calendar
) -> TicketContext:
    channel = tk.channel[lo:hi]
    t0 = tk.created[lo:hi].astype(np.float64)
    return TicketContext(
        t0=t0,
        channel=channel,
        category=tk.category[lo:hi],
        priority=tk.priority[lo:hi],
        tier=customers.tier[tk.customer[lo:hi]],
        agent1=tk.agent1[lo:hi],
        agent2=tk.agent2[lo:hi],
        is_async=np.isin(channel, ASYNC_CHANNELS),
        load=cal.day_load(t0) ** 1.3,
        scale=FOLLOW_UP_SCALE[channel],
    )


def timeline_chunk(
    rng: np.random.Generator,
    tk: Tickets,
    lo: int,
    hi: int,
    world: World,
    first_event: int,
) -> Columns:
    """Events of tickets lo..hi (and their outcome written back into tk)."""
    ctx = ticket_context(tk, lo, hi, world.customers, world.cal)
    agents = world.agents
    plan = plan_tickets(rng, ctx, agents.skill[ctx.agent1])
    s = SlotMatrix(ctx.n)
    t_reply = _intake(rng, s, ctx, plan, agents)
    t_last = _follow_ups(rng, s, ctx, plan, agents, t_reply)
    _resolution(rng, s, ctx, plan, agents, t_last)
    t = to_seconds(s.time)
    present = s.present & (t < world.cal.end)
    for name, values in _summarise(s, present, t, ctx).items():
        getattr(tk, name)[lo:hi] = values
    row, slot = np.nonzero(present)
    return {
        "no": first_event + np.arange(len(row), dtype=np.int64),
        "ticket": lo + row.astype(np.int64),
        "occurred": t[row, slot],
        "type": SLOT_EVENT[slot],
        "agent": s.agent[row, slot],
        "public": SLOT_PUBLIC[slot],
        "status": s.status[row, slot],
        "assignee": s.assignee[row, slot],
    }


# ---------------------------------------------------------------------------------------------
# Table frames: numeric columns + the SQL that renders each contract column
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BadRows:
    """How to break rows of a table: which columns, and a table-specific rule breaker."""

    key: str  # frame column of the primary-key number
    width: int  # digits of the id (fresh ids start at 10**width)
    timestamp: str  # contract column that gets an unparseable timestamp
    enum: str | None = None  # contract column that gets an unknown enum value
    boolean: str | None = None  # contract column that gets an unparseable boolean
    rule: Callable[[Columns, Array], None] | None = None  # breaks a table rule in place


@dataclass
class Frame:
    """Rows of one table (or chunk) as numeric arrays and the SQL rendering every column."""

    columns: Columns
    sql: dict[str, str]
    bad: BadRows

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))


def _sort_by(columns: Columns, key: str) -> Columns:
    order = np.argsort(columns[key], kind="stable")
    return {name: values[order] for name, values in columns.items()}


def _end_before(start: str, end: str, seconds: int) -> Callable[[Columns, Array], None]:
    def rule(columns: Columns, rows: Array) -> None:
        columns[end][rows] = columns[start][rows] - seconds

    return rule


def agents_frame(agents: Agents) -> Frame:
    columns = {
        "no": np.arange(agents.n, dtype=np.int64),
        "first": agents.first_name,
        "last": agents.last_name,
        "team": agents.team,
        "bot": agents.is_bot.astype(np.int8),
        "hired": agents.hired,
        "left_on": agents.left,
    }
    name = f"{sql_lookup(FIRST_NAMES, 'first')} || ' ' || {sql_lookup(LAST_NAMES, 'last')}"
    sql = {
        "agent_id": sql_id("A-", "no", 4),
        "full_name": f"CASE WHEN bot = 1 THEN {sql_lookup(BOT_NAMES, 'first')} ELSE {name} END",
        "team": sql_lookup(agents.team_names, "team"),
        "is_bot": "fbool(bot, _bv)",
        "hired_at": sql_ts("hired"),
        "left_at": sql_ts("left_on"),
    }
    bad = BadRows(
        "no", 4, "hired_at", boolean="is_bot", rule=_end_before("hired", "left_on", 30 * DAY)
    )
    return Frame(columns, sql, bad)


def customers_frame(customers: Customers) -> Frame:
    columns = {
        "no": np.arange(customers.n, dtype=np.int64),
        "first": customers.first_name,
        "last": customers.last_name,
        "country": customers.country,
        "tier": customers.tier,
        "signed": customers.signed_up,
        "acq": customers.acquisition,
        "ref": customers.referred_by,
    }
    first, last = sql_lookup(FIRST_NAMES, "first"), sql_lookup(LAST_NAMES, "last")
    width = id_width(6, customers.n)
    sql = {
        "customer_id": sql_id("C-", "no", width),
        "email": f"lower({first} || '.' || {last}) || CAST(no + 1 AS VARCHAR) || '@example.com'",
        "full_name": f"{first} || ' ' || {last}",
        "country": sql_lookup(COUNTRIES, "country"),
        "customer_tier": sql_enum(TIERS, "tier"),
        "signed_up_at": sql_ts("signed"),
        "acquisition_channel": sql_enum(ACQUISITION, "acq"),
        "referred_by_customer_id": sql_id("C-", "ref", width),
    }
    return Frame(columns, sql, BadRows("no", width, "signed_up_at", enum="customer_tier"))


def tickets_frame(tk: Tickets, world: World) -> Frame:
    columns = {
        "no": np.arange(tk.n, dtype=np.int64),
        "customer": tk.customer,
        "channel": tk.channel,
        "category": tk.category,
        "priority": tk.priority,
        "created": tk.created,
        "assignee": tk.assignee,
        "status": tk.status,
    }
    sql = {
        "ticket_id": sql_id("T-", "no", world.widths["ticket"]),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "channel": sql_enum(CHANNELS, "channel"),
        "category": sql_lookup(CATEGORIES, "category"),
        "priority": sql_enum(PRIORITIES, "priority"),
        "created_at": sql_ts("created"),
        "assignee_agent_id": sql_id("A-", "assignee", 4),
        "status": sql_enum(STATUSES, "status"),
    }
    return Frame(columns, sql, BadRows("no", world.widths["ticket"], "created_at", enum="channel"))


def events_frame(columns: Columns, world: World) -> Frame:
    sql = {
        "event_id": sql_id("E-", "no", world.widths["event"]),
        "ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
        "occurred_at": sql_ts("occurred"),
        "event_type": sql_enum(EVENT_TYPES, "type"),
        "agent_id": sql_id("A-", "agent", 4),
        "is_public": "fbool(public, _bv)",
        "new_status": sql_enum(STATUSES, "status"),
        "new_assignee_agent_id": sql_id("A-", "assignee", 4),
    }
    bad = BadRows("no", world.widths["event"], "occurred_at", enum="event_type")
    return Frame(columns, sql, bad)


# ---------------------------------------------------------------------------------------------
# Contact channels: calls, chats, self-service
# ---------------------------------------------------------------------------------------------
def _empty_contacts(n: int) -> Columns:
    return {
        "answered": np.full(n, -1, np.int64),
        "ended": np.zeros(n, np.int64),
        "outcome": np.zeros(n, np.int8),
        "agent": np.full(n, -1, np.int16),
        "wrap": np.full(n, -1, np.int64),
    }


def _ticket_calls(rng: np.random.Generator, tk: Tickets, world: World) -> Columns:
    """One call per phone ticket: answered (the ticket is logged during it) or a voicemail."""
    idx = np.flatnonzero(tk.channel == PHONE)
    n = len(idx)
    t0 = tk.created[idx].astype(np.float64)
    answered = rng.random(n) < 0.92
    t_answer = t0 - rng.uniform(20, 120, n)
    wait = np.clip(35 * world.cal.hour_load(t0) ** 1.5 * rng.lognormal(0, 0.7, n), 2, 900)
    offered = np.where(answered, t_answer - wait, t0 - rng.uniform(300, 3600, n))
    talk = np.maximum(lognormal(rng, 300, 0.6, n), t0 - t_answer + 30)
    hold = np.where(rng.random(n) < 0.4, lognormal(rng, 40, 0.8, n), 0)
    agent = tk.agent1[idx]
    cols = _empty_contacts(n)
    cols["answered"] = np.where(answered, to_seconds(t_answer), -1)
    cols["ended"] = to_seconds(np.where(answered, t_answer + talk + hold, offered + 180))
    cols["outcome"] = np.where(answered, 0, 3).astype(np.int8)
    cols["agent"] = np.where(answered, agent, -1).astype(np.int16)
    cols["wrap"] = np.where(
        answered, to_seconds(lognormal(rng, 60, 0.6, n) * world.agents.speed(agent)), -1
    )
    cat, tier = tk.category[idx], world.customers.tier[tk.customer[idx]]
    queue = np.where(tier == 0, 3, np.where(cat == 0, 1, np.where(cat == 2, 2, 0)))
    cols.update(
        offered=to_seconds(offered),
        talk=np.where(answered, to_seconds(talk), -1),
        hold=np.where(answered, to_seconds(hold), -1),
        ticket=idx.astype(np.int64),
        customer=tk.customer[idx].astype(np.int64),
        queue=queue.astype(np.int8),
        reason=np.full(n, -1, np.int8),
    )
    return cols


def _other_calls(rng: np.random.Generator, n: int, world: World) -> Columns:
    """Calls without a ticket; abandonment and blocking rise with the load."""
    cal, agents = world.cal, world.agents
    offered = sample_times(rng, cal, n).astype(np.float64)
    load = cal.hour_load(offered)
    factor = load / load.mean() if n else load
    p_abandon, p_block = 0.141 * factor, 0.059 * factor
    u = rng.random(n)
    outcome = np.select(
        [u < p_abandon, u < p_abandon + p_block, u < p_abandon + p_block + 0.021], [1, 2, 3], 0
    ).astype(np.int8)
    wait = np.clip(35 * load**1.5 * rng.lognormal(0, 0.9, n), 2, 1800)
    t_answer = offered + wait
    agent = pick_agents(
        rng, agents, to_seconds(t_answer), weight=np.where(agents.team == 3, 4.0, 1.0)
    )
    talk = lognormal(rng, 240, 0.7, n) * (1.3 - 0.6 * agents.skill[agent])
    hold = np.where(rng.random(n) < 0.35, lognormal(rng, 45, 0.8, n), 0)
    ended = np.select(
        [outcome == 0, outcome == 1, outcome == 2],
        [
            t_answer + talk + hold,
            offered + np.clip(45 * load * rng.lognormal(0, 0.8, n), 3, 1200),
            offered + rng.uniform(0, 4, n),
        ],
        offered + rng.uniform(60, 300, n),
    )
    answered = outcome == 0
    cols = _empty_contacts(n)
    cols["answered"] = np.where(answered, to_seconds(t_answer), -1)
    cols["ended"] = to_seconds(ended)
    cols["outcome"] = outcome
    cols["agent"] = np.where(answered, agent, -1).astype(np.int16)
    cols["wrap"] = np.where(
        answered, to_seconds(lognormal(rng, 60, 0.6, n) * agents.speed(agent)), -1
    )
    known = rng.random(n) < 0.53
    cols.update(
        offered=to_seconds(offered),
        talk=np.where(answered, to_seconds(talk), -1),
        hold=np.where(answered, to_seconds(hold), -1),
        ticket=np.full(n, -1, np.int64),
        customer=np.where(known, world.customers.pick(rng, offered), -1).astype(np.int64),
        queue=choice(rng, (0.5, 0.2, 0.2, 0.1), n),
        reason=np.where(outcome == 2, (rng.random(n) < 0.3 / factor).astype(np.int8), -1).astype(
            np.int8
        ),
    )
    return cols


def calls_frame(rng: np.random.Generator, tk: Tickets, world: World) -> Frame:
    ticket_calls = _ticket_calls(rng, tk, world)
    n_other = max(0, tk.n - len(ticket_calls["offered"]))
    other = _other_calls(rng, n_other, world)
    columns = _sort_by({k: np.concatenate([ticket_calls[k], other[k]]) for k in other}, "offered")
    columns["no"] = np.arange(len(columns["offered"]), dtype=np.int64)
    width = id_width(7, len(columns["no"]))
    sql = {
        "call_id": sql_id("CL-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "queue": sql_lookup(QUEUES, "queue"),
        "offered_at": sql_ts("offered"),
        "answered_at": sql_ts("answered"),
        "ended_at": sql_ts("ended"),
        "outcome": sql_enum(CALL_OUTCOMES, "outcome"),
        "blocked_reason": sql_enum(BLOCKED_REASONS, "reason"),
        "agent_id": sql_id("A-", "agent", 4),
        "talk_seconds": "fint(talk)",
        "hold_seconds": "fint(hold)",
        "wrap_up_seconds": "fint(wrap)",
        "ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
    }
    rule = _end_before("offered", "ended", 600)
    return Frame(columns, sql, BadRows("no", width, "offered_at", enum="outcome", rule=rule))


def _chats(
    rng: np.random.Generator, t: Array, p: tuple[float, float, float], world: World
) -> Columns:
    """Chat requests at times t (the agent joins at t for answered chats)."""
    n = len(t)
    agents = world.agents
    outcome = choice(rng, p, n)
    wait = np.clip(30 * world.cal.hour_load(t) ** 1.5 * rng.lognormal(0, 0.8, n), 2, 900)
    agent = pick_agents(rng, agents, to_seconds(t), weight=np.where(agents.team == 0, 2.0, 1.0))
    duration = lognormal(rng, 8 * MINUTE, 0.6, n) * agents.speed(agent)
    cols = _empty_contacts(n)
    cols["outcome"] = outcome
    cols["answered"] = np.where(outcome == 0, to_seconds(t), -1)
    cols["ended"] = to_seconds(
        np.select([outcome == 0, outcome == 1], [t + duration, t], t + rng.uniform(60, 300, n))
    )
    cols["agent"] = np.select([outcome == 0, outcome == 2], [agent, Agents.BOT_CHAT], -1).astype(
        np.int16
    )
    wrap = lognormal(rng, 45, 0.6, n) * agents.speed(agent)
    cols["wrap"] = np.where(outcome == 0, to_seconds(wrap), -1)
    cols["requested"] = to_seconds(t - wait)
    return cols


def chats_frame(rng: np.random.Generator, tk: Tickets, world: World) -> Frame:
    idx = np.flatnonzero(tk.channel == CHAT)
    ticket_chats = _chats(rng, tk.created[idx].astype(np.float64), (0.95, 0.05, 0.0), world)
    ticket_chats["ticket"] = idx.astype(np.int64)
    ticket_chats["customer"] = tk.customer[idx].astype(np.int64)
    answered = ticket_chats["outcome"] == 0
    ticket_chats["agent"] = np.where(answered, tk.agent1[idx], ticket_chats["agent"]).astype(
        np.int16
    )
    n_other = max(0, round(0.4 * tk.n) - len(idx))
    t = sample_times(rng, world.cal, n_other).astype(np.float64)
    other = _chats(rng, t, (0.6, 0.15, 0.25), world)
    other["ticket"] = np.full(n_other, -1, np.int64)
    known = rng.random(n_other) < 0.5
    other["customer"] = np.where(known, world.customers.pick(rng, t), -1).astype(np.int64)
    columns = _sort_by({k: np.concatenate([ticket_chats[k], other[k]]) for k in other}, "requested")
    columns["no"] = np.arange(len(columns["requested"]), dtype=np.int64)
    width = id_width(7, len(columns["no"]))
    sql = {
        "chat_id": sql_id("CH-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "requested_at": sql_ts("requested"),
        "answered_at": sql_ts("answered"),
        "ended_at": sql_ts("ended"),
        "outcome": sql_enum(CHAT_OUTCOMES, "outcome"),
        "agent_id": sql_id("A-", "agent", 4),
        "wrap_up_seconds": "fint(wrap)",
        "ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
    }
    rule = _end_before("requested", "ended", 300)
    return Frame(columns, sql, BadRows("no", width, "requested_at", enum="outcome", rule=rule))


def self_service_frame(rng: np.random.Generator, tk: Tickets, world: World) -> Frame:
    """Help-centre, chatbot and IVR sessions; ~25 % escalated to a ticket created right after."""
    total = round(0.5 * tk.n)
    candidates = np.flatnonzero(tk.channel != SOCIAL)
    n_esc = min(round(0.25 * total), len(candidates))
    esc = np.sort(rng.choice(candidates, n_esc, replace=False))
    ch = tk.channel[esc]
    esc_source = np.select(
        [ch == CHAT, ch == PHONE],
        [CHATBOT, IVR],
        np.where(rng.random(n_esc) < 0.8, HELP_CENTER, CHATBOT),
    )
    lead = np.clip(lognormal(rng, 5 * MINUTE, 0.8, n_esc), 30, 2 * HOUR)
    esc_start = np.maximum(tk.created[esc] - lead, world.cal.start)
    n_other = total - n_esc
    other_start = sample_times(rng, world.cal, n_other)
    known = rng.random(n_other) < 0.5
    columns = {
        "started": np.concatenate([to_seconds(esc_start), other_start]),
        "source": np.concatenate([esc_source, choice(rng, (0.62, 0.2, 0.18), n_other)]).astype(
            np.int8
        ),
        "ticket": np.concatenate([esc.astype(np.int64), np.full(n_other, -1, np.int64)]),
        "customer": np.concatenate(
            [tk.customer[esc], np.where(known, world.customers.pick(rng, other_start), -1)]
        ).astype(np.int64),
    }
    n = total
    help_center = columns["source"] == HELP_CENTER
    articles = np.minimum(rng.zipf(1.3, n), 400) - 1
    escalated = columns["ticket"] >= 0
    vote = np.where(
        escalated,
        np.select([rng.random(n) < 0.05, rng.random(n) < 0.37], [0, 1], -1),
        np.select([rng.random(n) < 0.35, rng.random(n) < 0.12], [0, 1], -1),
    )
    columns["article"] = np.where(help_center, articles, -1).astype(np.int64)
    columns["vote"] = np.where(help_center, vote, -1).astype(np.int8)
    columns = _sort_by(columns, "started")
    columns["no"] = np.arange(n, dtype=np.int64)
    width = id_width(7, n)
    sql = {
        "session_id": sql_id("SS-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "started_at": sql_ts("started"),
        "source": sql_enum(SELF_SERVICE_SOURCES, "source"),
        "article_id": sql_id("KB-", "article", 4),
        "escalated_ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
        "helpful_vote": sql_enum(VOTES, "vote"),
    }
    return Frame(columns, sql, BadRows("no", width, "started_at", enum="source"))


# ---------------------------------------------------------------------------------------------
# Commerce: orders and subscriptions
# ---------------------------------------------------------------------------------------------
def orders_frame(rng: np.random.Generator, world: World, has_subscription: Array) -> Frame:
    """0.5 N orders; shop-only customers buy more, retail peaks in November/December."""
    cust, cal = world.customers, world.cal
    n = round(0.5 * world.n_tickets)
    dates = np.datetime64(cal.start // DAY, "D")
    month = (dates + np.arange(cal.days)).astype("datetime64[M]").astype(np.int64) % 12
    retail = cal.day_weight * np.where(month >= 10, 1.3, 1.0)
    t = np.sort(sample_times(rng, cal, n, day_weight=retail))
    weight = rng.lognormal(0, 1.1, cust.n) * np.where(has_subscription, 1.0, 2.5)
    customer = cust.pick(rng, t, weight)
    amount = lognormal(rng, 55, 0.7, n) * np.array([2.0, 1.4, 1.0])[cust.tier[customer]]
    columns = {
        "no": np.arange(n, dtype=np.int64),
        "customer": customer.astype(np.int64),
        "ordered": t,
        "amount": np.round(amount, 2),
        "status": choice(rng, (0.88, 0.07, 0.05), n),
    }
    width = id_width(7, n)
    sql = {
        "order_id": sql_id("O-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "ordered_at": sql_ts("ordered"),
        "amount": "printf('%.2f', amount)",
        "status": sql_enum(ORDER_STATUSES, "status"),
    }
    return Frame(columns, sql, BadRows("no", width, "ordered_at", enum="status"))


def support_effort(tk: Tickets, n_customers: int, ces: tuple[Array, Array]) -> Array:
    """Standardised support effort per customer: tickets, reopens, low effort scores."""
    tickets = np.bincount(tk.customer, minlength=n_customers)
    reopens = np.bincount(tk.customer, weights=tk.reopens, minlength=n_customers)
    ces_customer, ces_score = ces
    ces_n = np.bincount(ces_customer, minlength=n_customers)
    ces_sum = np.bincount(ces_customer, weights=ces_score, minlength=n_customers)
    low_ces = np.where(ces_n > 0, np.maximum(0, 4.5 - ces_sum / np.maximum(ces_n, 1)), 0)
    effort = np.log1p(tickets) + 0.8 * reopens + 0.5 * low_ces
    return (effort - effort.mean()) / (effort.std() or 1.0)


def subscriptions_frame(
    rng: np.random.Generator, world: World, has_subscription: Array, effort: Array
) -> Frame:
    """1-3 sequential subscriptions per subscriber; lifetime shrinks with support effort."""
    cust, cal = world.customers, world.cal
    subscriber = np.flatnonzero(has_subscription)
    tier = cust.tier[subscriber]
    mean_months = np.array([48.0, 30.0, 18.0])[tier] * np.exp(-0.45 * effort[subscriber])
    start = cust.signed_up[subscriber] + rng.uniform(0, 3, len(subscriber)) * DAY
    lifetime_end = start + rng.exponential(mean_months * 30.4 * DAY)
    parts = choice(rng, (0.55, 0.33, 0.12), len(subscriber)) + 1
    cuts = np.sort(rng.uniform(0.15, 0.85, (len(subscriber), 2)), axis=1)
    plan0 = np.where(tier == 0, 3, np.where(tier == 1, 1 + (rng.random(len(tier)) < 0.5), 0))
    rows = []
    for k in range(3):
        has = parts > k
        lo = start if k == 0 else start + (lifetime_end - start) * cuts[:, k - 1]
        hi = np.where(
            parts > k + 1, start + (lifetime_end - start) * cuts[:, min(k, 1)], lifetime_end
        )
        plan = np.clip(plan0 + k * np.where(rng.random(len(tier)) < 0.6, 1, -1), 0, len(PLANS) - 1)
        keep = has & (lo < cal.end)
        rows.append((subscriber[keep], lo[keep], hi[keep], plan[keep]))
    customer, lo, hi, plan = (np.concatenate(parts_) for parts_ in zip(*rows, strict=True))
    discount = rng.choice([0.0, 0.0, 0.1, 0.2], len(plan))
    prices = np.array([p for _, p in PLANS])
    columns = _sort_by(
        {
            "customer": customer.astype(np.int64),
            "started": to_seconds(lo),
            "ended": np.where(hi < cal.end, to_seconds(hi), -1),
            "plan": plan.astype(np.int8),
            "amount": np.round(prices[plan] * (1 - discount), 2),
        },
        "started",
    )
    columns["no"] = np.arange(len(columns["customer"]), dtype=np.int64)
    width = id_width(6, len(columns["no"]))
    sql = {
        "subscription_id": sql_id("S-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "plan": sql_lookup([p for p, _ in PLANS], "plan"),
        "started_at": sql_ts("started"),
        "ended_at": sql_ts("ended"),
        "monthly_amount": "printf('%.2f', amount)",
    }

    def negative_amount(columns: Columns, rows: Array) -> None:
        columns["amount"][rows] = -columns["amount"][rows] - 1

    return Frame(columns, sql, BadRows("no", width, "started_at", rule=negative_amount))


# ---------------------------------------------------------------------------------------------
# Surveys and quality reviews
# ---------------------------------------------------------------------------------------------
@dataclass
class Surveys:
    """Invitations and responses collected per survey type before numbering."""

    invitations: list[Columns]
    responses: list[Columns]


def _service_quality(tk: Tickets, idx: Array, agents: Agents) -> tuple[Array, Array, Array]:
    """Hours to first response, days to resolution and the serving agent's skill."""
    t0 = tk.created[idx]
    first = np.where(tk.first_reply[idx] >= 0, tk.first_reply[idx] - t0, 72 * HOUR)
    agent = np.where(tk.assignee[idx] >= 0, tk.assignee[idx], tk.agent1[idx])
    return first / HOUR, (tk.final_resolution[idx] - t0) / DAY, agents.skill[agent]


def _invite(
    rng: np.random.Generator,
    kind: int,
    customer: Array,
    ticket: Array,
    sent: Array,
    rate: float,
    end: int,
) -> tuple[Columns, Array]:
    """Invitations sent before the end; returns them and the mask of those answered in time."""
    keep = sent < end
    customer, ticket, sent = customer[keep], ticket[keep], sent[keep]
    n = len(sent)
    responded = sent + np.clip(lognormal(rng, 6 * HOUR, 1.2, n), 60, 14 * DAY)
    answered = (rng.random(n) < rate) & (responded < end)
    invitations = {
        "type": np.full(n, kind, np.int8),
        "customer": customer.astype(np.int64),
        "ticket": ticket.astype(np.int64),
        "sent": to_seconds(sent),
        "responded": to_seconds(responded),
    }
    return invitations, answered


def _response(
    inv: Columns, answered: Array, score: Array, lo: Array | int, hi: Array | int
) -> Columns:
    """The answered invitations as responses (invitation = position within its batch)."""
    return {
        "invitation": np.flatnonzero(answered).astype(np.int64),
        "type": inv["type"][answered],
        "customer": inv["customer"][answered],
        "ticket": inv["ticket"][answered],
        "responded": inv["responded"][answered],
        "score": np.asarray(score)[answered].astype(np.int64),
        "lo": np.broadcast_to(lo, answered.shape)[answered].astype(np.int64),
        "hi": np.broadcast_to(hi, answered.shape)[answered].astype(np.int64),
    }


def _csat_scores(rng: np.random.Generator, tk: Tickets, ticket: Array, agents: Agents) -> tuple:
    """CSAT from service speed and quality; ~5 % on a good/bad (0-1) scale."""
    frt_h, res_d, skill = _service_quality(tk, ticket, agents)
    q = 4.7 + 1.8 * (skill - 0.6) - 0.22 * np.log1p(frt_h) - 0.25 * np.log1p(res_d)
    q = q - 0.8 * tk.reopens[ticket] + rng.normal(0, 0.85, len(ticket))
    binary = rng.random(len(q)) < 0.05
    score = np.where(binary, q >= 3.5, np.clip(np.round(q), 1, 5))
    return score, np.where(binary, 0, 1), np.where(binary, 1, 5)


def _ces_scores(rng: np.random.Generator, tk: Tickets, ticket: Array, agents: Agents) -> tuple:
    """CES (1-7, 7 = easy) falls with replies needed, reopens and resolution time."""
    _, res_d, skill = _service_quality(tk, ticket, agents)
    q = 5.7 - 0.45 * (tk.replies[ticket] - 1) - 0.9 * tk.reopens[ticket] - 0.3 * np.log1p(res_d)
    q = q + 1.2 * (skill - 0.6) + rng.normal(0, 1.1, len(ticket))
    return np.clip(np.round(q), 1, 7), 1, 7


def ticket_surveys(
    rng: np.random.Generator, tk: Tickets, world: World, surveys: Surveys
) -> tuple[Array, Array]:
    """CSAT after ~60 % of resolved tickets, CES after some others; returns CES responses."""
    resolved = np.flatnonzero(tk.final_resolution >= 0)
    csat = rng.random(len(resolved)) < 0.6
    ces = ~csat & (rng.random(len(resolved)) < 0.42)
    batches = ((CSAT, resolved[csat], 0.35, _csat_scores), (CES, resolved[ces], 0.30, _ces_scores))
    for kind, idx, rate, scorer in batches:
        delay = np.clip(lognormal(rng, 2 * HOUR, 0.8, len(idx)), 300, 2 * DAY)
        sent = tk.final_resolution[idx] + delay
        inv, answered = _invite(rng, kind, tk.customer[idx], idx, sent, rate, world.cal.end)
        score, lo, hi = scorer(rng, tk, inv["ticket"], world.agents)
        surveys.invitations.append(inv)
        surveys.responses.append(_response(inv, answered, score, lo, hi))
    return surveys.responses[-1]["customer"], surveys.responses[-1]["score"]


def relationship_surveys(
    rng: np.random.Generator, tk: Tickets, world: World, orders: Frame, surveys: Surveys
) -> None:
    """NPS to customers (no ticket) and CX ratings after purchases."""
    cust, cal = world.customers, world.cal
    tickets = np.bincount(tk.customer, minlength=cust.n)
    reopens = np.bincount(tk.customer, weights=tk.reopens, minlength=cust.n)
    n_nps = round(0.17 * world.n_tickets)
    sent = np.sort(sample_times(rng, cal, n_nps))
    customer = cust.pick(rng, sent, np.ones(cust.n))
    inv, answered = _invite(rng, NPS, customer, np.full(n_nps, -1), sent, 0.2, cal.end)
    c = inv["customer"]
    q = (
        9.0
        + np.array([0.4, 0.2, -0.2])[cust.tier[c]]
        - 0.7 * reopens[c]
        - 0.45 * np.log1p(tickets[c])
    )
    score = np.clip(np.round(q + rng.normal(0, 1.9, len(c))), 0, 10)
    surveys.invitations.append(inv)
    surveys.responses.append(_response(inv, answered, score, 0, 10))
    o = orders.columns
    completed = np.flatnonzero(o["status"] == 0)
    pick = np.sort(
        rng.choice(completed, min(len(completed), round(0.1 * world.n_tickets)), replace=False)
    )
    sent = o["ordered"][pick] + rng.uniform(1, 3, len(pick)) * DAY
    inv, answered = _invite(
        rng, CX, o["customer"][pick], np.full(len(pick), -1), sent, 0.25, cal.end
    )
    c = inv["customer"]
    q = 4.0 - 0.25 * np.log1p(tickets[c]) - 0.3 * reopens[c] + rng.normal(0, 0.9, len(c))
    surveys.invitations.append(inv)
    surveys.responses.append(_response(inv, answered, np.clip(np.round(q), 1, 5), 1, 5))


def _open_link_responses(rng: np.random.Generator, world: World, n: int) -> Columns:
    """Responses from open survey links: no invitation, CSAT or CX on 1-5."""
    t = sample_times(rng, world.cal, n)
    known = rng.random(n) < 0.7
    return {
        "invitation": np.full(n, -1, np.int64),
        "type": np.where(rng.random(n) < 0.6, CSAT, CX).astype(np.int8),
        "customer": np.where(known, world.customers.pick(rng, t), -1).astype(np.int64),
        "ticket": np.full(n, -1, np.int64),
        "responded": t,
        "score": choice(rng, (0.08, 0.07, 0.15, 0.35, 0.35), n).astype(np.int64) + 1,
        "lo": np.ones(n, np.int64),
        "hi": np.full(n, 5, np.int64),
    }


def survey_frames(rng: np.random.Generator, surveys: Surveys, world: World) -> tuple[Frame, Frame]:
    """Number invitations by sent time and responses by response time; link them."""
    offsets = np.cumsum([0] + [len(i["sent"]) for i in surveys.invitations])
    inv = {k: np.concatenate([i[k] for i in surveys.invitations]) for k in surveys.invitations[0]}
    order = np.argsort(inv["sent"], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    invitations = {k: v[order] for k, v in inv.items()}
    invitations["no"] = np.arange(len(order), dtype=np.int64)
    for offset, resp in zip(offsets[:-1], surveys.responses, strict=True):
        resp["invitation"] = rank[offset + resp["invitation"]]
    n_responses = sum(len(r["score"]) for r in surveys.responses)
    surveys.responses.append(_open_link_responses(rng, world, max(1, round(0.015 * n_responses))))
    responses = _sort_by(
        {k: np.concatenate([r[k] for r in surveys.responses]) for k in surveys.responses[0]},
        "responded",
    )
    n = len(responses["score"])
    responses["no"] = np.arange(n, dtype=np.int64)
    sentiment = np.clip(
        np.round((responses["score"] - responses["lo"]) / (responses["hi"] - responses["lo"]) * 10),
        0,
        10,
    )
    comment = np.select(
        [sentiment <= 4, sentiment <= 7],
        [rng.integers(0, 4, n), rng.integers(4, 7, n)],
        rng.integers(7, 11, n),
    )
    comment = np.where(rng.random(n) < 0.02, rng.integers(11, 13, n), comment)
    responses["comment"] = np.where(rng.random(n) < 0.3, comment, -1).astype(np.int8)
    return _invitations_frame(invitations, world), _responses_frame(responses, world)


def _invitations_frame(columns: Columns, world: World) -> Frame:
    width = world.widths["invitation"]
    sql = {
        "invitation_id": sql_id("SI-", "no", width),
        "survey_type": sql_enum(SURVEY_TYPES, "type"),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
        "sent_at": sql_ts("sent"),
    }
    keep = {k: columns[k] for k in ("no", "type", "customer", "ticket", "sent")}
    return Frame(keep, sql, BadRows("no", width, "sent_at", enum="survey_type"))


def _responses_frame(columns: Columns, world: World) -> Frame:
    width = id_width(7, len(columns["no"]))
    sql = {
        "response_id": sql_id("SR-", "no", width),
        "invitation_id": sql_id("SI-", "invitation", world.widths["invitation"]),
        "survey_type": sql_enum(SURVEY_TYPES, "type"),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
        "responded_at": sql_ts("responded"),
        "score": "CAST(score AS VARCHAR)",
        "scale_min": "CAST(lo AS VARCHAR)",
        "scale_max": "CAST(hi AS VARCHAR)",
        "comment": sql_lookup(COMMENTS, "comment"),
    }

    def out_of_scale(columns: Columns, rows: Array) -> None:
        columns["score"][rows] = columns["hi"][rows] + 1 + (rows.nonzero()[0] % 3)

    return Frame(
        columns, sql, BadRows("no", width, "responded_at", enum="survey_type", rule=out_of_scale)
    )


def qa_frame(rng: np.random.Generator, tk: Tickets, world: World) -> Frame:
    """QA reviews of ~5 % of tickets (resolved, answered by a person); score follows skill."""
    end = world.cal.end
    eligible = np.flatnonzero(
        (tk.final_resolution >= 0)
        & (tk.final_resolution < end - DAY)
        & (tk.replies > 0)
        & (tk.assignee >= 0)
    )
    idx = np.sort(rng.choice(eligible, min(len(eligible), round(0.05 * tk.n)), replace=False))
    n = len(idx)
    room = np.minimum(10 * DAY, end - 1 - tk.final_resolution[idx])
    agent = tk.assignee[idx]
    possible = np.where(rng.random(n) < 0.85, 20, 25)
    share = np.clip(rng.normal(0.6 + 0.38 * world.agents.skill[agent], 0.08), 0, 1)
    columns = _sort_by(
        {
            "ticket": idx.astype(np.int64),
            "agent": agent.astype(np.int16),
            "reviewed": tk.final_resolution[idx] + to_seconds(rng.uniform(0.05, 1, n) * room),
            "earned": np.round(share * possible).astype(np.int64),
            "possible": possible.astype(np.int64),
        },
        "reviewed",
    )
    columns["no"] = np.arange(n, dtype=np.int64)
    width = id_width(6, n)
    sql = {
        "review_id": sql_id("QA-", "no", width),
        "ticket_id": sql_id("T-", "ticket", world.widths["ticket"]),
        "agent_id": sql_id("A-", "agent", 4),
        "reviewed_at": sql_ts("reviewed"),
        "points_earned": "CAST(earned AS VARCHAR)",
        "points_possible": "CAST(possible AS VARCHAR)",
    }

    def too_many_points(columns: Columns, rows: Array) -> None:
        columns["earned"][rows] = columns["possible"][rows] + 5

    return Frame(columns, sql, BadRows("no", width, "reviewed_at", rule=too_many_points))


# ---------------------------------------------------------------------------------------------
# Engagement
# ---------------------------------------------------------------------------------------------
def engagement_frame(rng: np.random.Generator, world: World) -> Frame:
    n = round(2 * world.n_tickets)
    t = np.sort(sample_times(rng, world.cal, n))
    weight = rng.lognormal(0, 1.0, world.customers.n)
    pair = choice(rng, [p for _, _, p in TOUCHPOINT_ACTIONS], n)
    touchpoint = np.array([TOUCHPOINTS.index(tp) for tp, _, _ in TOUCHPOINT_ACTIONS], np.int8)
    action = np.array([ACTIONS.index(a) for _, a, _ in TOUCHPOINT_ACTIONS], np.int8)
    columns = {
        "no": np.arange(n, dtype=np.int64),
        "customer": world.customers.pick(rng, t, weight).astype(np.int64),
        "occurred": t,
        "touchpoint": touchpoint[pair],
        "action": action[pair],
    }
    width = id_width(8, n)
    sql = {
        "event_id": sql_id("EV-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "occurred_at": sql_ts("occurred"),
        "touchpoint": sql_enum(TOUCHPOINTS, "touchpoint"),
        "action": sql_enum(ACTIONS, "action"),
    }
    return Frame(columns, sql, BadRows("no", width, "occurred_at", enum="touchpoint"))


def tasks_frame(rng: np.random.Generator, world: World) -> Frame:
    """Product task attempts: ~12 % abandoned, others completed around the expected time."""
    n = round(0.2 * world.n_tickets)
    t = np.sort(sample_times(rng, world.cal, n))
    task = choice(rng, (0.3, 0.2, 0.15, 0.2, 0.15), n)
    expected = np.array([s for _, s in TASKS])[task]
    duration = expected * rng.lognormal(np.log(0.6), 0.5, n)
    abandoned = rng.random(n) < 0.12
    known = rng.random(n) < 0.9
    columns = {
        "no": np.arange(n, dtype=np.int64),
        "customer": np.where(known, world.customers.pick(rng, t), -1).astype(np.int64),
        "task": task,
        "started": t,
        "completed": np.where(abandoned, -1, t + to_seconds(duration)),
        "expected": expected.astype(np.int64),
    }
    width = id_width(7, n)
    sql = {
        "attempt_id": sql_id("TA-", "no", width),
        "customer_id": sql_id("C-", "customer", world.widths["customer"]),
        "task_name": sql_lookup([name for name, _ in TASKS], "task"),
        "started_at": sql_ts("started"),
        "completed_at": sql_ts("completed"),
        "expected_seconds": "CAST(expected AS VARCHAR)",
    }
    rule = _end_before("started", "completed", 120)
    return Frame(columns, sql, BadRows("no", width, "started_at", rule=rule))


# ---------------------------------------------------------------------------------------------
# Writing: export noise, bad rows, DuckDB COPY
# ---------------------------------------------------------------------------------------------
def add_noise(rng: np.random.Generator, columns: Columns) -> None:
    """Per-row export quirks: UTC offsets (~5 %), odd-case enums (~1 %), 1/0/yes/no booleans."""
    n = len(next(iter(columns.values())))
    columns["_tz"] = choice(rng, (0.95, 0.02, 0.015, 0.01, 0.005), n)
    columns["_odd"] = choice(rng, (0.99, 0.004, 0.003, 0.003), n)
    columns["_bv"] = choice(rng, (0.97, 0.01, 0.01, 0.01), n)
    columns["_bad"] = np.zeros(n, np.int8)
    columns["_var"] = np.zeros(n, np.int8)


def add_bad_rows(
    rng: np.random.Generator, frame: Frame, rate: float, fresh: int
) -> tuple[Columns, int]:
    """Mix ~rate x rows rule-breaking rows (fresh ids) and ~rate x rows exact duplicates in."""
    columns, spec = frame.columns, frame.bad
    n = len(frame)
    n_bad, n_dup = (int(rng.binomial(n, rate)) for _ in range(2)) if n and rate > 0 else (0, 0)
    if n_bad + n_dup == 0:
        return columns, 0
    kinds = [KIND_TIMESTAMP, KIND_MISSING_KEY]
    kinds += [KIND_ENUM] if spec.enum or spec.boolean else []
    kinds += [KIND_RULE] if spec.rule else []
    src = rng.integers(0, n, n_bad)
    bad = {name: values[src].copy() for name, values in columns.items()}
    bad["_bad"] = rng.choice(kinds, n_bad).astype(np.int8)
    bad["_var"] = rng.integers(0, 4, n_bad).astype(np.int8)
    bad[spec.key] = np.where(
        bad["_bad"] == KIND_MISSING_KEY, -2, 10**spec.width + fresh + np.arange(n_bad)
    )
    if spec.rule:
        spec.rule(bad, bad["_bad"] == KIND_RULE)
    dup_src = rng.integers(0, n, n_dup)
    dup = {name: values[dup_src] for name, values in columns.items()}
    dup["_bad"] = np.full(n_dup, KIND_DUPLICATE, np.int8)
    position = np.concatenate(
        [
            np.arange(n, dtype=np.float64),
            src + rng.uniform(0.1, 0.9, n_bad),
            np.minimum(dup_src + rng.integers(1, 50, n_dup), n)
            - 0.5
            + rng.uniform(0.01, 0.4, n_dup),
        ]
    )
    order = np.argsort(position, kind="stable")
    merged = {
        name: np.concatenate([columns[name], bad[name], dup[name]])[order] for name in columns
    }
    return merged, n_bad


def _override(kind: int, values: tuple[str, ...], expr: str) -> str:
    """expr, or one of the rule-breaking values on rows of the given bad-row kind."""
    return f"CASE WHEN _bad = {kind} THEN {sql_list(values)}[_var + 1] ELSE {expr} END"


def select_sql(frame: Frame, table: Table) -> str:
    """SELECT rendering every contract column, in contract order, with bad-row overrides."""
    missing = set(table.column_names) ^ set(frame.sql)
    if missing:
        raise ValueError(f"{table.name}: frame and contract columns differ: {sorted(missing)}")
    spec = frame.bad
    parts = []
    for column in table.column_names:
        expr = frame.sql[column]
        if column == spec.timestamp:
            expr = _override(KIND_TIMESTAMP, BAD_TIMESTAMPS, expr)
        elif column in (spec.enum, spec.boolean):
            values = BAD_BOOLEANS if column == spec.boolean else UNKNOWN_ENUMS
            expr = _override(KIND_ENUM, values, expr)
        parts.append(f'{expr} AS "{column}"')
    return "SELECT " + ", ".join(parts) + " FROM frame"


class ExportWriter:
    """Writes frames (whole tables or chunks of one) as CSV or Parquet through DuckDB."""

    def __init__(self, out: Path, fmt: str, seed: int, bad_rate: float, progress: tqdm) -> None:
        self.out, self.fmt, self.seed, self.bad_rate = out, fmt, seed, bad_rate
        self.progress = progress
        self.contract = load_contract()
        self.rows: dict[str, int] = {}
        self.bad_rows: dict[str, int] = {}
        self.con = duckdb.connect()
        self.con.execute(
            "SET threads = 2; SET preserve_insertion_order = true; SET TimeZone = 'UTC'"
        )
        self.con.execute(SQL_MACROS)

    def write(self, table: str, frames: Iterable[Frame]) -> None:
        """Write one table from one or more frames (chunks), in order."""
        with tempfile.TemporaryDirectory(dir=self.out, prefix=f".{table}-") as tmp:
            parts = [self._write_part(table, i, frame, Path(tmp)) for i, frame in enumerate(frames)]
            self._combine(table, parts)
        self.progress.set_postfix_str(f"{table}={self.rows[table]:,}")
        self.progress.update(1)

    def _write_part(self, table: str, index: int, frame: Frame, tmp: Path) -> Path:
        rng = stream(self.seed, f"write:{table}", index)
        add_noise(rng, frame.columns)
        fresh = self.bad_rows.get(table, 0)
        columns, n_bad = add_bad_rows(rng, frame, self.bad_rate, fresh)
        self.bad_rows[table] = fresh + n_bad
        self.rows[table] = self.rows.get(table, 0) + len(columns["_bad"])
        path = tmp / f"part{index:05d}.{self.fmt}"
        options = "FORMAT parquet" if self.fmt == "parquet" else f"FORMAT csv, HEADER {index == 0}"
        self.con.register("frame", pd.DataFrame(columns, copy=False))
        try:
            query = select_sql(frame, self.contract[table])
            self.con.execute(f"COPY ({query}) TO '{path}' ({options})")
        finally:
            self.con.unregister("frame")
        if index:
            self.progress.update(1)
        return path

    def _combine(self, table: str, parts: list[Path]) -> None:
        target = self.out / f"{table}.{self.fmt}"
        if len(parts) == 1:
            shutil.move(parts[0], target)
        elif self.fmt == "csv":
            with target.open("wb") as sink:
                for part in parts:
                    with part.open("rb") as source:
                        shutil.copyfileobj(source, sink, 16 * 1024 * 1024)
        else:
            files = sql_list(str(p) for p in parts)
            columns = ", ".join(f'"{c}"' for c in self.contract[table].column_names)
            self.con.execute(
                f"COPY (SELECT {columns} FROM read_parquet({files}, filename = true, "
                f"file_row_number = true) ORDER BY filename, file_row_number) "
                f"TO '{target}' (FORMAT parquet)"
            )


# ---------------------------------------------------------------------------------------------
# Orchestration
# ---------------------------------------------------------------------------------------------
@dataclass
class Config:
    out: Path
    tickets: int
    seed: int = 42
    fmt: str = "csv"
    start: dt.date = dt.date(2024, 1, 1)
    days: int = 456
    bad_row_rate: float = 0.002
    progress: bool = True


@dataclass
class World:
    """Shared entities every table is generated from."""

    n_tickets: int
    cal: Calendar
    agents: Agents
    customers: Customers
    widths: dict[str, int]


def make_world(cfg: Config) -> World:
    cal = make_calendar(cfg.start, cfg.days, stream(cfg.seed, "calendar"))
    agents = make_agents(stream(cfg.seed, "agents"), cfg.tickets, cal)
    customers = make_customers(stream(cfg.seed, "customers"), cfg.tickets, cal)
    widths = {
        "ticket": id_width(7, cfg.tickets),
        "customer": id_width(6, customers.n),
        "event": id_width(8, len(SLOTS) * cfg.tickets),
        "invitation": id_width(7, 2 * cfg.tickets),
    }
    return World(cfg.tickets, cal, agents, customers, widths)


def event_frames(cfg: Config, tk: Tickets, world: World) -> Iterator[Frame]:
    """The ticket-event table chunk by chunk (fills the tickets' outcome on the way)."""
    first_event = 0
    for index, lo in enumerate(range(0, tk.n, TICKET_CHUNK)):
        hi = min(lo + TICKET_CHUNK, tk.n)
        columns = timeline_chunk(
            stream(cfg.seed, "timeline", index), tk, lo, hi, world, first_event
        )
        first_event += len(columns["no"])
        yield events_frame(columns, world)


def write_support_tables(writer: ExportWriter, cfg: Config, tk: Tickets, world: World) -> None:
    """Tickets and their events, agents, calls, chats, self-service and QA reviews."""
    seed = cfg.seed
    writer.write("helpdesk_ticket_events", event_frames(cfg, tk, world))
    writer.write("helpdesk_tickets", [tickets_frame(tk, world)])
    writer.write("support_agents", [agents_frame(world.agents)])
    writer.write("telephony_calls", [calls_frame(stream(seed, "calls"), tk, world)])
    writer.write("chat_sessions", [chats_frame(stream(seed, "chats"), tk, world)])
    self_service = self_service_frame(stream(seed, "self_service"), tk, world)
    writer.write("self_service_sessions", [self_service])
    writer.write("qa_reviews", [qa_frame(stream(seed, "qa"), tk, world)])


def write_customer_tables(writer: ExportWriter, cfg: Config, tk: Tickets, world: World) -> None:
    """Customers, orders, surveys, subscriptions (churn follows support effort), engagement."""
    seed, customers = cfg.seed, world.customers
    writer.write("crm_customers", [customers_frame(customers)])
    subscribes = np.array([0.98, 0.9, 0.55])[customers.tier]
    has_subscription = stream(seed, "has_subscription").random(customers.n) < subscribes
    orders = orders_frame(stream(seed, "orders"), world, has_subscription)
    surveys = Surveys([], [])
    ces = ticket_surveys(stream(seed, "ticket_surveys"), tk, world, surveys)
    relationship_surveys(stream(seed, "relationship_surveys"), tk, world, orders, surveys)
    invitations, responses = survey_frames(stream(seed, "survey_frames"), surveys, world)
    writer.write("survey_invitations", [invitations])
    writer.write("survey_responses", [responses])
    writer.write("shop_orders", [orders])
    effort = support_effort(tk, customers.n, ces)
    rng = stream(seed, "subscriptions")
    writer.write("crm_subscriptions", [subscriptions_frame(rng, world, has_subscription, effort)])
    writer.write("engagement_events", [engagement_frame(stream(seed, "engagement"), world)])
    writer.write("product_task_attempts", [tasks_frame(stream(seed, "tasks"), world)])


def generate(cfg: Config) -> dict[str, int]:
    """Generate every export table into cfg.out; returns rows written per table."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    _check_vocabulary()
    world = make_world(cfg)
    tk = make_tickets(
        stream(cfg.seed, "tickets"), cfg.tickets, world.cal, world.customers, world.agents
    )
    steps = len(load_contract()) + (tk.n - 1) // TICKET_CHUNK  # tables + extra event chunks
    progress = tqdm(
        total=steps, desc="export", unit="step", disable=not cfg.progress, file=sys.stderr
    )
    with progress:
        writer = ExportWriter(cfg.out, cfg.fmt, cfg.seed, cfg.bad_row_rate, progress)
        write_support_tables(writer, cfg, tk, world)
        write_customer_tables(writer, cfg, tk, world)
    return writer.rows


def _check_vocabulary() -> None:
    """Every enum value the generator writes is one the contract accepts."""
    contract = load_contract()
    used = {
        ("helpdesk_tickets", "channel"): CHANNELS,
        ("helpdesk_tickets", "priority"): PRIORITIES,
        ("helpdesk_tickets", "status"): STATUSES,
        ("helpdesk_ticket_events", "event_type"): EVENT_TYPES,
        ("crm_customers", "customer_tier"): TIERS,
        ("crm_customers", "acquisition_channel"): ACQUISITION,
        ("telephony_calls", "outcome"): CALL_OUTCOMES,
        ("telephony_calls", "blocked_reason"): BLOCKED_REASONS,
        ("chat_sessions", "outcome"): CHAT_OUTCOMES,
        ("self_service_sessions", "source"): SELF_SERVICE_SOURCES,
        ("self_service_sessions", "helpful_vote"): VOTES,
        ("shop_orders", "status"): ORDER_STATUSES,
        ("survey_responses", "survey_type"): SURVEY_TYPES,
        ("engagement_events", "touchpoint"): TOUCHPOINTS,
        ("engagement_events", "action"): ACTIONS,
    }
    for (table, column), values in used.items():
        accepted = set(contract[table].column(column).values)
        if not set(values) <= accepted or accepted & set(UNKNOWN_ENUMS):
            raise ValueError(f"{table}.{column}: vocabulary out of line with the contract")


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 0.5:
        raise argparse.ArgumentTypeError("must be between 0 and 0.5")
    return value


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(
        description=(
            "Generate synthetic, deterministic raw exports (one file per contract table) for "
            "the customer-service KPI warehouse."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory (created)")
    parser.add_argument(
        "--tickets",
        type=_positive_int,
        required=True,
        help="number of tickets N; other tables scale with it",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="random seed (>= 0); same seed and arguments give byte-identical files",
    )
    parser.add_argument(
        "--format", dest="fmt", choices=("csv", "parquet"), default="csv", help="file format"
    )
    parser.add_argument(
        "--start-date",
        type=dt.date.fromisoformat,
        default=dt.date(2024, 1, 1),
        help="first day of the window (YYYY-MM-DD, UTC)",
    )
    parser.add_argument(
        "--days", type=_positive_int, default=456, help="length of the window in days"
    )
    parser.add_argument(
        "--bad-row-rate",
        type=_rate,
        default=0.002,
        help="share of rule-breaking rows and, as many again, of exact duplicate rows per table",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error("--seed must be >= 0")
    return Config(
        out=args.out,
        tickets=args.tickets,
        seed=args.seed,
        fmt=args.fmt,
        start=args.start_date,
        days=args.days,
        bad_row_rate=args.bad_row_rate,
        progress=not args.no_progress,
    )


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    began = time.perf_counter()
    rows = generate(cfg)
    summary = ", ".join(f"{table}={count:,}" for table, count in sorted(rows.items()))
    print(f"wrote {len(rows)} tables to {cfg.out} in {time.perf_counter() - began:.1f}s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
