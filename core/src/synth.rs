//! Deterministic synthetic CRM leads: the demo data of the examples, benchmarks,
//! tests and the CLI, for any number of tenants (client companies).
//!
//! Each tenant is drawn from `(seed, index)` alone with the crate's seeded
//! [`Rng`]: the same pair gives byte-identical data in every release (a test pins a
//! fingerprint). Only basic arithmetic, `ln`, `exp`, `sqrt` and the generator's own
//! Box–Muller are used, and no hash-map iteration order is involved. Every column is
//! an integer, a rounded amount or a discrete choice, so a last-bit difference in a
//! platform's `ln`/`exp` could only show in [`SynthTenant::true_probability`], not in
//! the table. Generating 20,000 rows takes about 5-10 ms (release build).
//!
//! # Columns
//!
//! | column | kind | content |
//! |---|---|---|
//! | `lead_id` | id | `"L-004211"`, unique within a tenant |
//! | `source` | categorical | web, phone, email, chat, partner, ads, exhibition, referral (tenant-specific shares) |
//! | `city` | categorical | 18 Russian cities, Zipf-like: Moscow first, the last three rare |
//! | `weekday` | categorical | `Mon` .. `Sun` the lead was created on (weekends rarer) |
//! | `lifetime_days` | numeric | days since the lead was created |
//! | `calls`, `emails`, `chats`, `meetings`, `tasks` | numeric | activity counts |
//! | `deal_amount` | numeric | expected deal amount in roubles, about 10 % missing (NaN) |
//! | `has_phone`, `has_email` | boolean | `"yes"` / `"no"` |
//! | `comment` | text | a short manager's comment in Russian or English, sometimes missing |
//! | [`TARGET`] (`converted`) | target | 0/1 |
//!
//! # The hidden model
//!
//! The outcome is drawn from a true logistic model with effects a linear model on the
//! raw columns can only approximate: activity per day of lifetime (saturating), the
//! logarithm of the deal amount with a penalty on very large deals, a missing amount,
//! a source x city interaction, a weekday effect, keywords in the comment (a contract
//! or an invoice help, "not interested" hurts), and Gaussian noise in the logit. The
//! coefficients and the strength of the whole logit are perturbed per tenant, and the
//! intercept is solved for so that the mean probability equals the tenant's target
//! positive rate (4-28 %, realised about 3.5-29 %).
//!
//! The true probabilities given the columns reach a ROC AUC of 0.78-0.92 (median about
//! 0.85 over 400 tenants); a standardised + one-hot L2 logistic regression reaches
//! about 0.71-0.84 in 5-fold cross-validation (scikit-learn, `C = 1`), and 0.74-0.87
//! with the comment's words as extra 0/1 features.
//!
//! # Example
//!
//! ```
//! use leadscore::synth::{self, TARGET};
//!
//! let t = synth::tenant_with_rows(42, 0, 500);
//! assert_eq!(t.table.n_rows(), 500);
//! assert!(t.table.column(TARGET).is_some());
//! assert!(t.positive_rate > 0.0 && t.positive_rate < 0.5);
//! // The same seed and index give the same data.
//! let again = synth::tenant_with_rows(42, 0, 500);
//! assert_eq!(t.name, again.name);
//! assert_eq!(t.table.column("city"), again.table.column("city"));
//! ```

use crate::data::{Column, StrColumn, Table, MISSING_CODE};
use crate::rng::Rng;

/// The name of the 0/1 target column.
pub const TARGET: &str = "converted";

/// The smallest tenant [`tenant`] draws.
pub const MIN_ROWS: usize = 2_000;

/// The largest tenant [`tenant`] draws.
pub const MAX_ROWS: usize = 20_000;

/// The lowest target positive rate a tenant is given (the realised rate varies
/// around the target by sampling).
pub const MIN_POSITIVE_RATE: f64 = 0.04;

/// The highest target positive rate a tenant is given (the realised rate varies
/// around the target by sampling).
pub const MAX_POSITIVE_RATE: f64 = 0.28;

/// One synthetic tenant: its leads and what the hidden model made of them.
#[derive(Debug, Clone)]
pub struct SynthTenant {
    /// A folder-safe tenant name such as `tenant-007-furniture`.
    pub name: String,
    /// The leads, including the [`TARGET`] column (numeric 0/1).
    pub table: Table,
    /// The realised share of positive rows.
    pub positive_rate: f64,
    /// The hidden model's probability of each row given its columns (the unobserved
    /// noise in the logit integrated out): the best any model of these columns could
    /// predict, so its ROC AUC is the ceiling for a learnt model.
    pub true_probability: Vec<f64>,
}

const INDUSTRIES: [&str; 12] = [
    "furniture",
    "auto-parts",
    "it-services",
    "construction",
    "education",
    "travel",
    "clinic",
    "logistics",
    "real-estate",
    "wholesale",
    "beauty",
    "insurance",
];

const SOURCES: [&str; 8] = [
    "web",
    "phone",
    "email",
    "chat",
    "partner",
    "ads",
    "exhibition",
    "referral",
];
/// Base shares of the sources (perturbed per tenant).
const SOURCE_SHARE: [f64; 8] = [0.30, 0.18, 0.12, 0.12, 0.06, 0.14, 0.03, 0.05];
/// Base logit effects of the sources.
const SOURCE_EFFECT: [f64; 8] = [0.0, 0.35, -0.15, 0.10, 0.70, -0.55, 0.45, 0.80];
/// Chance that a lead of each source left a phone number / an e-mail address.
const SOURCE_PHONE: [f64; 8] = [0.70, 0.99, 0.45, 0.80, 0.90, 0.65, 0.85, 0.90];
const SOURCE_EMAIL: [f64; 8] = [0.85, 0.40, 0.99, 0.55, 0.80, 0.75, 0.70, 0.60];
/// Multipliers of the expected calls, e-mails and chats by source.
const SOURCE_CHANNEL: [[f64; 3]; 8] = [
    [1.0, 1.0, 1.0],
    [1.8, 0.6, 0.5],
    [0.6, 1.9, 0.5],
    [0.7, 0.6, 2.2],
    [1.2, 1.2, 0.7],
    [0.9, 0.9, 1.1],
    [1.3, 1.1, 0.6],
    [1.3, 1.0, 0.8],
];

const CITIES: [&str; 18] = [
    "Moscow",
    "Saint Petersburg",
    "Novosibirsk",
    "Yekaterinburg",
    "Kazan",
    "Nizhny Novgorod",
    "Chelyabinsk",
    "Samara",
    "Omsk",
    "Rostov-on-Don",
    "Ufa",
    "Krasnoyarsk",
    "Voronezh",
    "Perm",
    "Volgograd",
    "Kaliningrad",
    "Vladivostok",
    "Yakutsk",
];
/// The last cities get this extra factor on their Zipf weight: rare levels.
const RARE_CITIES: usize = 3;
const RARE_FACTOR: f64 = 0.08;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAY_SHARE: [f64; 7] = [1.0, 1.05, 1.0, 0.95, 0.9, 0.35, 0.25];
const WEEKDAY_EFFECT: [f64; 7] = [0.10, 0.15, 0.10, 0.0, -0.15, -0.35, -0.45];

/// Comment topics: (Russian, English, base logit effect). The effect stands for a
/// keyword in the phrase (договор / contract, счёт / invoice, не заинтересован / not
/// interested...).
const TOPICS: [(&str, &str, f64); 12] = [
    (
        "перезвонить по договору",
        "call back about the contract",
        0.9,
    ),
    (
        "выставить счёт клиенту",
        "send the invoice to the client",
        1.0,
    ),
    ("запросил прайс лист", "asked for a price list", 0.3),
    ("клиент не заинтересован", "client is not interested", -1.3),
    (
        "слишком дорого для клиента",
        "says it is too expensive",
        -0.6,
    ),
    ("уточнить сроки доставки", "clarify the delivery dates", 0.4),
    ("нет ответа на звонок", "no answer to the call", -0.5),
    (
        "отправить коммерческое предложение",
        "send a commercial proposal",
        0.5,
    ),
    ("просит демо версию", "wants a demo version", 0.6),
    (
        "повторная заявка с сайта",
        "repeat request from the website",
        0.2,
    ),
    (
        "менеджер в отпуске до понедельника",
        "manager is on vacation",
        0.0,
    ),
    (
        "обсудить скидку на заказ",
        "discuss a discount on the order",
        0.3,
    ),
];
const TOPIC_SHARE: [f64; 12] = [
    0.10, 0.06, 0.14, 0.10, 0.08, 0.08, 0.12, 0.09, 0.06, 0.07, 0.04, 0.06,
];
/// Optional comment endings: (Russian, English, base logit effect).
const TAILS: [(&str, &str, f64); 4] = [
    ("в понедельник", "on monday", 0.0),
    ("на следующей неделе", "next week", -0.1),
    ("срочно", "urgent", 0.4),
    ("после обеда", "after lunch", 0.0),
];

/// Six-point Gauss-Hermite rule for a standard normal: `E[g(Z)] ~ sum w * g(x)`.
const GAUSS_HERMITE: [(f64, f64); 6] = [
    (-3.324_257_433_552_119_3, 0.002_555_784_402_056_241),
    (-1.889_175_877_753_710_9, 0.088_615_746_041_914_44),
    (-0.616_706_590_192_594_2, 0.408_828_469_556_029_2),
    (0.616_706_590_192_594_2, 0.408_828_469_556_029_2),
    (1.889_175_877_753_710_9, 0.088_615_746_041_914_44),
    (3.324_257_433_552_119_3, 0.002_555_784_402_056_241),
];

/// Activity weights of calls, e-mails, chats, meetings and tasks in the hidden
/// model's "activity per day".
const ACTIVITY_WEIGHT: [f64; 5] = [1.0, 0.5, 0.7, 2.0, 0.3];

/// A tenant's character: everything drawn once per tenant.
struct Spec {
    rows: usize,
    industry: &'static str,
    target_rate: f64,
    source_cum: Vec<f64>,
    source_effect: [f64; 8],
    city_cum: Vec<f64>,
    city_effect: [f64; 18],
    /// Source x city interaction, `[source * 18 + city]`.
    interaction: Vec<f64>,
    weekday_cum: Vec<f64>,
    weekday_effect: [f64; 7],
    /// Median lifetime in days.
    life_median: f64,
    /// Expected calls, e-mails, chats, meetings, tasks for an average lead.
    activity_base: [f64; 5],
    /// Effect of the saturated activity rate, and its saturation scale.
    activity_effect: f64,
    activity_scale: f64,
    lifetime_effect: f64,
    amount_median: f64,
    amount_missing: f64,
    amount_effect: f64,
    amount_curvature: f64,
    amount_missing_effect: f64,
    phone_effect: f64,
    email_effect: f64,
    comment_missing: f64,
    russian_share: f64,
    topic_cum: Vec<f64>,
    topic_effect: [f64; 12],
    tail_share: f64,
    tail_effect: [f64; 4],
    noise_sd: f64,
    /// A factor on the whole logit (before noise): how predictable the tenant is.
    strength: f64,
}

/// Cumulative sums of weights, normalised to end at 1.
fn cumulative(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect()
}

/// Draws an index from cumulative weights.
#[inline]
fn pick(rng: &mut Rng, cum: &[f64]) -> usize {
    let u = rng.f64();
    cum.partition_point(|&c| c <= u).min(cum.len() - 1)
}

/// A Poisson draw: Knuth's product method for small means, a rounded normal above 30.
fn poisson(rng: &mut Rng, mean: f64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * rng.normal()).round().max(0.0);
    }
    let limit = (-mean).exp();
    let mut k = 0.0;
    let mut prod = rng.f64();
    while prod > limit {
        k += 1.0;
        prod *= rng.f64();
    }
    k
}

#[inline]
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `base * (1 + sd * normal)`, kept on the side of zero `base` is on.
fn perturb(rng: &mut Rng, base: f64, sd: f64) -> f64 {
    base * (1.0 + sd * rng.normal()).max(0.2)
}

impl Spec {
    fn draw(rng: &mut Rng, index: usize) -> Spec {
        let log_uniform =
            |rng: &mut Rng, lo: f64, hi: f64| (lo.ln() + rng.f64() * (hi.ln() - lo.ln())).exp();
        let rows = log_uniform(rng, MIN_ROWS as f64, MAX_ROWS as f64 + 1.0)
            .floor()
            .clamp(MIN_ROWS as f64, MAX_ROWS as f64) as usize;
        let industry = INDUSTRIES[index % INDUSTRIES.len()];
        let target_rate = log_uniform(rng, MIN_POSITIVE_RATE, MAX_POSITIVE_RATE);

        let source_w: Vec<f64> = SOURCE_SHARE
            .iter()
            .map(|&s| s * (0.7 * rng.normal()).exp())
            .collect();
        let mut source_effect = [0.0; 8];
        for (e, &b) in source_effect.iter_mut().zip(&SOURCE_EFFECT) {
            *e = b + 0.25 * rng.normal();
        }

        let zipf = 0.9 + 0.4 * rng.f64();
        let city_w: Vec<f64> = (0..CITIES.len())
            .map(|i| {
                let w = (-zipf * ((i + 1) as f64).ln()).exp() * (0.25 * rng.normal()).exp();
                if i >= CITIES.len() - RARE_CITIES {
                    w * RARE_FACTOR
                } else {
                    w
                }
            })
            .collect();
        let mut city_effect = [0.0; 18];
        for e in &mut city_effect {
            *e = 0.15 * rng.normal();
        }
        let interaction: Vec<f64> = (0..SOURCES.len() * CITIES.len())
            .map(|_| 0.3 * rng.normal())
            .collect();

        let weekday_w: Vec<f64> = WEEKDAY_SHARE
            .iter()
            .map(|&s| s * (0.15 * rng.normal()).exp())
            .collect();
        let mut weekday_effect = [0.0; 7];
        for (e, &b) in weekday_effect.iter_mut().zip(&WEEKDAY_EFFECT) {
            *e = b + 0.08 * rng.normal();
        }

        let life_median = 15.0 + 45.0 * rng.f64();
        let activity_base = [
            perturb(rng, 2.5, 0.3),
            perturb(rng, 2.0, 0.3),
            perturb(rng, 1.2, 0.3),
            perturb(rng, 0.25, 0.3),
            perturb(rng, 1.8, 0.3),
        ];
        let activity_effect = perturb(rng, 2.6, 0.2);
        let activity_scale = perturb(rng, 0.25, 0.2);
        let lifetime_effect = perturb(rng, -0.35, 0.3);

        let amount_median = (10.5 + 1.5 * rng.f64()).exp(); // about 36k to 160k roubles
        let amount_missing = 0.06 + 0.08 * rng.f64();
        let amount_effect = perturb(rng, 0.35, 0.3);
        let amount_curvature = perturb(rng, -0.12, 0.3);
        let amount_missing_effect = perturb(rng, -0.4, 0.3);
        let phone_effect = perturb(rng, 0.45, 0.3);
        let email_effect = perturb(rng, 0.2, 0.4);

        let comment_missing = 0.1 + 0.3 * rng.f64();
        let russian_share = 0.5 + 0.45 * rng.f64();
        let topic_w: Vec<f64> = TOPIC_SHARE
            .iter()
            .map(|&s| s * (0.3 * rng.normal()).exp())
            .collect();
        let mut topic_effect = [0.0; 12];
        for (e, t) in topic_effect.iter_mut().zip(&TOPICS) {
            *e = t.2 * (1.0 + 0.25 * rng.normal()) + 0.05 * rng.normal();
        }
        let tail_share = 0.2 + 0.3 * rng.f64();
        let mut tail_effect = [0.0; 4];
        for (e, t) in tail_effect.iter_mut().zip(&TAILS) {
            *e = t.2 + 0.05 * rng.normal();
        }
        let noise_sd = 0.3 + 0.4 * rng.f64();
        let strength = 1.15 + 0.3 * rng.f64();

        Spec {
            rows,
            industry,
            target_rate,
            source_cum: cumulative(&source_w),
            source_effect,
            city_cum: cumulative(&city_w),
            city_effect,
            interaction,
            weekday_cum: cumulative(&weekday_w),
            weekday_effect,
            life_median,
            activity_base,
            activity_effect,
            activity_scale,
            lifetime_effect,
            amount_median,
            amount_missing,
            amount_effect,
            amount_curvature,
            amount_missing_effect,
            phone_effect,
            email_effect,
            comment_missing,
            russian_share,
            topic_cum: cumulative(&topic_w),
            topic_effect,
            tail_share,
            tail_effect,
            noise_sd,
            strength,
        }
    }
}

/// Builds a dictionary-encoded column from small integer keys, interning each key's
/// text once, levels in order of first occurrence (as [`StrColumn::from_options`]).
struct Interner {
    slot: Vec<u32>,
    col: StrColumn,
}

impl Interner {
    fn new(keys: usize, rows: usize) -> Self {
        Interner {
            slot: vec![MISSING_CODE; keys],
            col: StrColumn {
                codes: Vec::with_capacity(rows),
                levels: Vec::new(),
            },
        }
    }

    fn push(&mut self, key: Option<usize>, text: impl FnOnce() -> String) {
        let code = match key {
            None => MISSING_CODE,
            Some(k) => {
                if self.slot[k] == MISSING_CODE {
                    self.slot[k] = self.col.levels.len() as u32;
                    self.col.levels.push(text());
                }
                self.slot[k]
            }
        };
        self.col.codes.push(code);
    }

    fn finish(self) -> Column {
        Column::Str(self.col)
    }
}

/// Solves for the intercept `b` with `mean(sigmoid(b + eta)) == rate`: safeguarded
/// Newton steps inside a shrinking bracket (the mean is increasing in `b`).
fn solve_intercept(eta: &[f64], rate: f64) -> f64 {
    let n = eta.len() as f64;
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    let mean_eta = eta.iter().sum::<f64>() / n;
    let mut b = (rate / (1.0 - rate)).ln() - mean_eta;
    for _ in 0..100 {
        let (mut mean, mut slope) = (0.0, 0.0);
        for &e in eta {
            let s = sigmoid(b + e);
            mean += s;
            slope += s * (1.0 - s);
        }
        let (mean, slope) = (mean / n, slope / n);
        let gap = mean - rate;
        if gap.abs() < 1e-9 {
            break;
        }
        if gap > 0.0 {
            hi = b;
        } else {
            lo = b;
        }
        let newton = b - gap / slope;
        b = if slope > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
    }
    b
}

/// A tenant whose size (2,000-20,000 rows) and character are drawn from
/// `(seed, index)`.
pub fn tenant(seed: u64, index: usize) -> SynthTenant {
    build(seed, index, None, None)
}

/// The tenant [`tenant`] would give, with `rows` rows instead of its drawn size (same
/// name, shares and hidden coefficients; `tenant_with_rows(s, i, tenant(s, i).table
/// .n_rows())` equals `tenant(s, i)`). Use small sizes in tests and doc examples.
pub fn tenant_with_rows(seed: u64, index: usize, rows: usize) -> SynthTenant {
    build(seed, index, Some(rows), None)
}

/// The tenant [`tenant`] (or [`tenant_with_rows`] when `rows` is given) would give,
/// its leads spread over the year 2024 in row order with a [`CREATED_COLUMN`] date,
/// and the market drifting: the source, city, activity and comment effects fade and
/// then reverse as the year goes on, by `drift` (0 keeps them, 1 reverses them by the
/// end of the year).
/// A model fitted on the early months then ranks the late ones worse, which a time
/// split shows and k-fold hides. Only the target and the new column differ from the
/// tenant without drift.
///
/// ```
/// use leadscore::synth;
/// let t = synth::tenant_with_drift(7, 0, Some(400), 0.8);
/// assert!(t.table.column(synth::CREATED_COLUMN).is_some());
/// let plain = synth::tenant_with_rows(7, 0, 400);
/// assert_eq!(t.table.column("city"), plain.table.column("city"));
/// ```
pub fn tenant_with_drift(seed: u64, index: usize, rows: Option<usize>, drift: f64) -> SynthTenant {
    build(seed, index, rows, Some(drift))
}

/// The date column of [`tenant_with_drift`]: `2024-01-01` .. `2024-12-30`.
pub const CREATED_COLUMN: &str = "created";

/// Tenants `0..count` of a seed.
pub fn tenants(seed: u64, count: usize) -> Vec<SynthTenant> {
    (0..count).map(|i| tenant(seed, i)).collect()
}

fn build(seed: u64, index: usize, rows: Option<usize>, drift: Option<f64>) -> SynthTenant {
    let mut root = Rng::derive(seed, index as u64);
    let mut spec_rng = Rng::new(root.next_u64());
    let mut rng = Rng::new(root.next_u64());
    let spec = Spec::draw(&mut spec_rng, index);
    let n = rows.unwrap_or(spec.rows);

    let mut lead_id = Vec::with_capacity(n);
    let mut source = Interner::new(SOURCES.len(), n);
    let mut city = Interner::new(CITIES.len(), n);
    let mut weekday = Interner::new(WEEKDAYS.len(), n);
    let mut lifetime = Vec::with_capacity(n);
    let mut counts: [Vec<f64>; 5] = std::array::from_fn(|_| Vec::with_capacity(n));
    let mut amount = Vec::with_capacity(n);
    let mut has_phone = Interner::new(2, n);
    let mut has_email = Interner::new(2, n);
    let mut comment = Interner::new(2 * TOPICS.len() * (TAILS.len() + 1), n);
    // The hidden logit (without the intercept) from the columns, and the unobserved
    // per-row noise added to it.
    let mut eta = Vec::with_capacity(n);
    let mut noise = Vec::with_capacity(n);

    let yes_no = |b: bool| if b { "yes" } else { "no" };
    // Ids increase from a random start and stay within six digits.
    let first_id = 1_000 + rng.below(970_000 - n.min(960_000) as u64);
    for i in 0..n {
        lead_id.push(format!("L-{:06}", first_id + i as u64));

        let s = pick(&mut rng, &spec.source_cum);
        let c = pick(&mut rng, &spec.city_cum);
        let d = pick(&mut rng, &spec.weekday_cum);
        source.push(Some(s), || SOURCES[s].to_owned());
        city.push(Some(c), || CITIES[c].to_owned());
        weekday.push(Some(d), || WEEKDAYS[d].to_owned());

        let life = (spec.life_median.ln() + 1.0 * rng.normal())
            .exp()
            .floor()
            .min(1_000.0);
        lifetime.push(life);

        // Activity: a latent engagement, the lead's age (activity accumulates over
        // the first weeks, then stalls) and the source's favourite channel.
        let engagement = 0.8 * rng.normal();
        let age = 0.3 + 1.5 * (1.0 - (-life / 20.0).exp());
        let mut activity = 0.0;
        for (k, col) in counts.iter_mut().enumerate() {
            let channel = if k < 3 { SOURCE_CHANNEL[s][k] } else { 1.0 };
            let mean = spec.activity_base[k] * channel * age * engagement.exp();
            let x = poisson(&mut rng, mean.min(200.0));
            activity += ACTIVITY_WEIGHT[k] * x;
            col.push(x);
        }
        let meetings = counts[3][i];

        let missing_amount = rng.bernoulli(spec.amount_missing);
        let amt = (spec.amount_median.ln() + 1.1 * rng.normal() + 0.2 * engagement).exp();
        let amt = ((amt / 100.0).round() * 100.0).max(100.0);
        amount.push(if missing_amount { f64::NAN } else { amt });

        let phone = rng.bernoulli(SOURCE_PHONE[s]);
        let email = rng.bernoulli(SOURCE_EMAIL[s]);
        has_phone.push(Some(usize::from(phone)), || yes_no(phone).to_owned());
        has_email.push(Some(usize::from(email)), || yes_no(email).to_owned());

        let mut text_effect = 0.0;
        if rng.bernoulli(spec.comment_missing) {
            comment.push(None, String::new);
        } else {
            let russian = rng.bernoulli(spec.russian_share);
            let topic = pick(&mut rng, &spec.topic_cum);
            let tail = if rng.bernoulli(spec.tail_share) {
                Some(rng.below(TAILS.len() as u64) as usize)
            } else {
                None
            };
            text_effect += spec.topic_effect[topic];
            if let Some(t) = tail {
                text_effect += spec.tail_effect[t];
            }
            let key = (usize::from(russian) * TOPICS.len() + topic) * (TAILS.len() + 1)
                + tail.map_or(0, |t| t + 1);
            comment.push(Some(key), || {
                let (ru, en, _) = TOPICS[topic];
                let mut text = if russian { ru } else { en }.to_owned();
                if let Some(t) = tail {
                    text.push(' ');
                    text.push_str(if russian { TAILS[t].0 } else { TAILS[t].1 });
                }
                text
            });
        }

        let rate = activity / (life + 1.0);
        let drifting = spec.source_effect[s]
            + spec.city_effect[c]
            + spec.activity_effect * (1.0 - (-rate / spec.activity_scale).exp())
            + text_effect;
        let mut z = spec.source_effect[s]
            + spec.city_effect[c]
            + spec.interaction[s * CITIES.len() + c]
            + spec.weekday_effect[d]
            + spec.activity_effect * (1.0 - (-rate / spec.activity_scale).exp())
            + 0.3 * meetings.min(3.0)
            + spec.lifetime_effect * (1.0 + life / 30.0).ln()
            + if phone { spec.phone_effect } else { 0.0 }
            + if email { spec.email_effect } else { 0.0 }
            + text_effect;
        if let Some(drift) = drift {
            // The drifting effects shrink by 2 * drift * (share of the year gone),
            // reversing past the middle of the year at drift 1.
            z -= 2.0 * drift * (i as f64 / n.max(1) as f64) * drifting;
        }
        if missing_amount {
            z += spec.amount_missing_effect;
        } else {
            let r = (amt / spec.amount_median).ln();
            z += spec.amount_effect * r + spec.amount_curvature * r * r;
        }
        eta.push(spec.strength * z);
        noise.push(spec.noise_sd * rng.normal());
    }

    let full: Vec<f64> = eta.iter().zip(&noise).map(|(e, u)| e + u).collect();
    let intercept = if n == 0 {
        0.0
    } else {
        solve_intercept(&full, spec.target_rate)
    };
    let mut target = Vec::with_capacity(n);
    let mut true_probability = Vec::with_capacity(n);
    let mut positives = 0usize;
    for (&z, &e) in full.iter().zip(&eta) {
        let y = rng.bernoulli(sigmoid(intercept + z));
        positives += usize::from(y);
        target.push(f64::from(u8::from(y)));
        // P(y = 1 | columns): the noise integrated out by Gauss-Hermite quadrature.
        let p: f64 = GAUSS_HERMITE
            .iter()
            .map(|&(x, w)| w * sigmoid(intercept + e + spec.noise_sd * x))
            .sum();
        true_probability.push(p);
    }

    let [calls, emails, chats, meetings, tasks] = counts;
    let mut columns = vec![
        (
            "lead_id",
            // Ids are distinct: one level per row.
            Column::Str(StrColumn {
                codes: (0..n as u32).collect(),
                levels: lead_id,
            }),
        ),
        ("source", source.finish()),
        ("city", city.finish()),
        ("weekday", weekday.finish()),
        ("lifetime_days", Column::Num(lifetime)),
        ("calls", Column::Num(calls)),
        ("emails", Column::Num(emails)),
        ("chats", Column::Num(chats)),
        ("meetings", Column::Num(meetings)),
        ("tasks", Column::Num(tasks)),
        ("deal_amount", Column::Num(amount)),
        ("has_phone", has_phone.finish()),
        ("has_email", has_email.finish()),
        ("comment", comment.finish()),
    ];
    if drift.is_some() {
        // Leads in row order over 2024 (a leap year: 366 days, day 0 = 1 January).
        let days: Vec<String> = (0..n)
            .map(|i| {
                let mut day = (i * 365 / n.max(1)) as u32;
                let mut month = 0usize;
                while day >= MONTH_DAYS_2024[month] {
                    day -= MONTH_DAYS_2024[month];
                    month += 1;
                }
                format!("2024-{:02}-{:02}", month + 1, day + 1)
            })
            .collect();
        columns.push((
            CREATED_COLUMN,
            Column::Str(StrColumn::from_options(
                days.iter().map(|d| Some(d.as_str())),
            )),
        ));
    }
    columns.push((TARGET, Column::Num(target)));
    let mut table = Table::new();
    for (name, col) in columns {
        // Names are distinct and every column has `n` rows.
        table
            .push_column(name, col)
            .expect("synthetic columns are distinct and of equal length");
    }
    SynthTenant {
        name: format!("tenant-{index:03}-{}", spec.industry),
        table,
        positive_rate: if n == 0 {
            0.0
        } else {
            positives as f64 / n as f64
        },
        true_probability,
    }
}

const MONTH_DAYS_2024: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// The tenant column of [`write_export`].
pub const TENANT_COLUMN: &str = "tenant";

/// Writes tenants `0..count` of `seed` as one CSV export, the way a CRM dumps all its
/// clients at once: a [`TENANT_COLUMN`] first, then each tenant's columns (the target
/// included), tenants one after another. Returns the number of data rows written.
pub fn write_export<W: std::io::Write>(seed: u64, count: usize, w: W) -> crate::Result<usize> {
    write_export_with_drift(seed, count, None, w)
}

/// [`write_export`] of the tenants of [`tenant_with_drift`] when `drift` is given
/// (each with its [`CREATED_COLUMN`]).
pub fn write_export_with_drift<W: std::io::Write>(
    seed: u64,
    count: usize,
    drift: Option<f64>,
    mut w: W,
) -> crate::Result<usize> {
    let mut rows = 0;
    let mut buf = Vec::new();
    for i in 0..count {
        let t = match drift {
            Some(d) => tenant_with_drift(seed, i, None, d),
            None => tenant(seed, i),
        };
        let n = t.table.n_rows();
        let mut cols = vec![(
            TENANT_COLUMN.to_owned(),
            Column::Str(StrColumn {
                codes: vec![0; n],
                levels: vec![t.name.clone()],
            }),
        )];
        cols.extend(
            t.table
                .names()
                .iter()
                .cloned()
                .zip(t.table.columns().iter().cloned()),
        );
        let table = Table::from_columns(cols)?;
        buf.clear();
        crate::data::csv::write_csv(&table, &mut buf)?;
        let body = if i == 0 {
            &buf[..]
        } else {
            let cut = buf
                .iter()
                .position(|&b| b == b'\n')
                .map_or(buf.len(), |p| p + 1);
            &buf[cut..]
        };
        w.write_all(body)
            .map_err(|e| crate::Error::io("export", e))?;
        rows += n;
    }
    w.flush().map_err(|e| crate::Error::io("export", e))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Kind, Schema};
    use crate::eval::metrics::roc_auc;

    /// FNV-1a over every cell (numbers by their bits), for pinning and comparing.
    fn fingerprint(t: &Table) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |bytes: &[u8]| {
            for &b in bytes {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        for (name, col) in t.names().iter().zip(t.columns()) {
            eat(name.as_bytes());
            match col {
                Column::Num(v) => v.iter().for_each(|x| eat(&x.to_bits().to_le_bytes())),
                Column::Str(s) => (0..s.codes.len()).for_each(|i| match s.get(i) {
                    Some(x) => eat(x.as_bytes()),
                    None => eat(&[0xFF]),
                }),
            }
        }
        h
    }

    fn num<'a>(t: &'a SynthTenant, name: &str) -> &'a [f64] {
        match t.table.column(name) {
            Some(Column::Num(v)) => v,
            other => panic!("{name}: {other:?}"),
        }
    }

    fn strs<'a>(t: &'a SynthTenant, name: &str) -> &'a StrColumn {
        match t.table.column(name) {
            Some(Column::Str(s)) => s,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn deterministic() {
        let a = tenant_with_rows(7, 3, 3_000);
        let b = tenant_with_rows(7, 3, 3_000);
        assert_eq!(a.name, b.name);
        assert_eq!(fingerprint(&a.table), fingerprint(&b.table));
        assert_eq!(a.positive_rate, b.positive_rate);
        let bits = |t: &SynthTenant| -> Vec<u64> {
            t.true_probability.iter().map(|p| p.to_bits()).collect()
        };
        assert_eq!(bits(&a), bits(&b));
        // Another seed, another index: other data.
        assert_ne!(
            fingerprint(&a.table),
            fingerprint(&tenant_with_rows(8, 3, 3_000).table)
        );
        assert_ne!(
            fingerprint(&a.table),
            fingerprint(&tenant_with_rows(7, 4, 3_000).table)
        );
        // The drawn size is just a size: asking for it explicitly gives the same data.
        let full = tenant(7, 3);
        let same = tenant_with_rows(7, 3, full.table.n_rows());
        assert_eq!(fingerprint(&full.table), fingerprint(&same.table));
        assert_eq!(full.name, same.name);
    }

    #[test]
    fn pinned_data() {
        // Pinned: a change here changes every demo, example and benchmark data set.
        // Bump it only on purpose, and say so in the changelog.
        let t = tenant_with_rows(42, 0, 1_000);
        assert_eq!(t.name, "tenant-000-furniture");
        assert_eq!(fingerprint(&t.table), PINNED_FINGERPRINT);
    }
    const PINNED_FINGERPRINT: u64 = 600_351_665_080_377_075;

    #[test]
    fn tenants_differ_in_size_and_rate_and_are_learnable() {
        let all = tenants(11, 20);
        assert_eq!(all.len(), 20);
        let mut rows = Vec::new();
        let mut rates = Vec::new();
        for t in &all {
            let n = t.table.n_rows();
            assert!((MIN_ROWS..=MAX_ROWS).contains(&n), "{}: {n} rows", t.name);
            assert!(
                (0.03..=0.30).contains(&t.positive_rate),
                "{}: rate {}",
                t.name,
                t.positive_rate
            );
            let y = num(t, TARGET);
            let pos = y.iter().filter(|&&v| v == 1.0).count();
            assert!(y.iter().all(|&v| v == 0.0 || v == 1.0));
            assert_eq!(t.positive_rate, pos as f64 / n as f64);
            // The true probabilities average out to the realised rate.
            let mean_p = t.true_probability.iter().sum::<f64>() / n as f64;
            assert!((mean_p - t.positive_rate).abs() < 0.03, "{}", t.name);
            // Believable, not perfect: the ceiling for any model of these columns.
            let auc = roc_auc(y, &t.true_probability).unwrap();
            assert!((0.78..=0.92).contains(&auc), "{}: oracle AUC {auc}", t.name);
            rows.push(n);
            rates.push(t.positive_rate);
        }
        let spread = |v: &[f64]| {
            v.iter().copied().fold(f64::MIN, f64::max) / v.iter().copied().fold(f64::MAX, f64::min)
        };
        let rows: Vec<f64> = rows.iter().map(|&n| n as f64).collect();
        assert!(spread(&rows) > 2.0);
        assert!(spread(&rates) > 2.5);
        let mut names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 20);
    }

    #[test]
    fn columns_and_kinds() {
        let t = tenant_with_rows(3, 1, 4_000);
        let names: Vec<&str> = t.table.names().iter().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "lead_id",
                "source",
                "city",
                "weekday",
                "lifetime_days",
                "calls",
                "emails",
                "chats",
                "meetings",
                "tasks",
                "deal_amount",
                "has_phone",
                "has_email",
                "comment",
                TARGET
            ]
        );
        let schema = Schema::infer(&t.table, &[TARGET]);
        let kind = |n: &str| schema.kind_of(n).unwrap();
        assert_eq!(kind("lead_id"), Kind::Id);
        for c in ["source", "city", "weekday"] {
            assert_eq!(kind(c), Kind::Categorical, "{c}");
        }
        for c in [
            "lifetime_days",
            "calls",
            "emails",
            "chats",
            "meetings",
            "tasks",
            "deal_amount",
        ] {
            assert_eq!(kind(c), Kind::Numeric, "{c}");
        }
        assert_eq!(kind("has_phone"), Kind::Boolean);
        assert_eq!(kind("has_email"), Kind::Boolean);
        assert_eq!(kind("comment"), Kind::Text);

        let ids = strs(&t, "lead_id");
        assert_eq!(ids.levels.len(), 4_000);
        assert!(ids
            .levels
            .iter()
            .all(|s| s.len() == 8 && s.starts_with("L-")));
        let missing = num(&t, "deal_amount").iter().filter(|x| x.is_nan()).count();
        assert!((100..=700).contains(&missing), "{missing} amounts missing");
        assert!(num(&t, "deal_amount")
            .iter()
            .all(|&x| x.is_nan() || x >= 100.0));
        assert!(num(&t, "lifetime_days").iter().all(|&x| x >= 0.0));
        let comments = strs(&t, "comment");
        assert!(comments.missing_count() > 0);
        assert!(comments.levels.iter().any(|c| c.contains("договор")));
        assert!(comments.levels.iter().any(|c| c.contains("price list")));
        // All 8 sources and at least 15 cities appear, Moscow the most common.
        assert_eq!(strs(&t, "source").levels.len(), SOURCES.len());
        let city = strs(&t, "city");
        assert!(city.levels.len() >= 15);
        let mut counts = vec![0usize; city.levels.len()];
        city.codes.iter().for_each(|&c| counts[c as usize] += 1);
        let top = (0..counts.len()).max_by_key(|&i| counts[i]).unwrap();
        assert_eq!(city.levels[top], "Moscow");
        assert_eq!(strs(&t, "weekday").levels.len(), 7);
    }

    #[test]
    fn tiny_sizes_do_not_panic() {
        for rows in [0, 1, 2, 25] {
            let t = tenant_with_rows(5, 9, rows);
            assert_eq!(t.table.n_rows(), rows);
            assert_eq!(t.true_probability.len(), rows);
            assert_eq!(t.table.n_cols(), 15);
        }
    }
}
