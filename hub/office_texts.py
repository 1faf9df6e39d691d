"""Every word of the office's web page in Japanese and English (Japanese first).

The hub cannot use the terminal's ``app/texts.py`` (the hub reaches the terminal's code
only through the wire format), so the page keeps its own table here; a test checks that
every key used by the templates is in it with both languages.
"""

from __future__ import annotations

LANGS = ("ja", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("仲間まわし 事務局", "Nakama consortium office"),
    "skip": ("本文へ移動", "Skip to content"),
    "nav": ("メニュー", "Menu"),
    "nav_kpi": ("年度の実績", "Yearly figures"),
    "nav_requests": ("依頼", "Requests"),
    "nav_firms": ("参加企業", "Firms"),
    "nav_qcd": ("QCD", "QCD"),
    "lang_switch": ("English", "日本語"),
    "lang_switch_label": ("Switch to English", "日本語に切り替え"),
    "signed_in_as": ("ログイン中:", "Signed in as"),
    "sign_out": ("ログアウト", "Sign out"),
    # sign-in
    "sign_in_title": ("事務局ログイン", "Office sign-in"),
    "sign_in_lead": (
        "事務局のアカウントでログインしてください。",
        "Sign in with your consortium office account.",
    ),
    "username": ("ユーザー名", "Username"),
    "password": ("パスワード", "Password"),
    "sign_in": ("ログイン", "Sign in"),
    "bad_credentials": (
        "ユーザー名またはパスワードが違います。",
        "The username or password is wrong.",
    ),
    "rate_limited": (
        "ログインの失敗が続いたため、しばらく受け付けません。{minutes}分後にもう一度お試しください。",
        "Too many failed sign-ins. Try again in {minutes} minutes.",
    ),
    "signed_out": ("ログアウトしました。", "You have signed out."),
    "session_ended": (
        "ログインの有効期限が切れました。もう一度ログインしてください。",
        "Your session has ended. Please sign in again.",
    ),
    "csrf_failed": (
        "フォームの有効期限が切れました。ページを読み込み直してからもう一度お試しください。",
        "This form has expired. Reload the page and try again.",
    ),
    # KPIs
    "kpi_title": ("{year}年度の実績と計画", "FY{year}: figures against the plan"),
    "fiscal_year": ("年度", "Fiscal year"),
    "show": ("表示", "Show"),
    "period": (
        "{start}〜{end}(日本時間)。イベントから集計。",
        "{start} to {end} (Japan time), computed from the events.",
    ),
    "plan_year": ("計画{n}年目", "Plan year {n}"),
    "no_plan": (
        "この年度は計画(5か年)の期間外です。計画の初年度: {first}",
        "This year is outside the plan's five years. The plan's first year: {first}",
    ),
    "no_plan_set": (
        "計画の初年度が設定されていません(nakama-hub plan --first-fiscal-year)。",
        "The plan's first year is not set (nakama-hub plan --first-fiscal-year).",
    ),
    "year_table": ("年間の実績と計画", "The year against the plan"),
    "figure": ("指標", "Figure"),
    "actual": ("実績", "Actual"),
    "target": ("計画", "Plan"),
    "plan": ("年間計画", "Plan for the year"),
    "cumulative": ("(累計)", "(in all)"),
    "achieved": ("達成率", "Achieved"),
    "firms": ("参加企業数", "Firms taking part"),
    "new_firms": ("新規参加企業", "New firms"),
    "sales_yen": ("ネットワーク売上", "Sales through the network"),
    "regional_yen": ("地方企業との受発注額", "Orders with regional firms"),
    "delivered_jobs": ("納品件数", "Delivered jobs"),
    "monthly": ("月別の実績", "Per month"),
    "month": ("月", "Month"),
    "year_total": ("年度計", "Year"),
    "chart_bars": ("棒: 月ごとの額", "Bars: each month"),
    "chart_line": ("線: 年度の累計", "Line: running total"),
    "chart_target": ("破線: 年間計画", "Dashed: the year's plan"),
    "chart_desc": (
        "{name}の月別実績と累計。年度計 {total}、年間計画 {target}。",
        "{name} per month and running total. Year {total}, plan {target}.",
    ),
    "downloads": ("ダウンロード", "Downloads"),
    "download_csv": ("年度評価 CSV (Excel用)", "Yearly evaluation CSV (for Excel)"),
    "download_pdf": ("年度評価報告書 PDF (A4)", "Yearly evaluation report PDF (A4)"),
    "pdf_unavailable": (
        "このハブにはPDF作成用のPySide6が入っていないため、PDFは作れません。",
        "This hub has no PySide6 installed, so it cannot draw the PDF.",
    ),
    "none": ("なし", "none"),
    # requests
    "requests_title": ("依頼と状況", "Requests and their state"),
    "state": ("状況", "State"),
    "all_states": ("すべて", "All"),
    "state_open": ("受付中", "Open"),
    "state_confirmed": ("確定", "Confirmed"),
    "state_cancelled": ("取消", "Cancelled"),
    "request_id": ("依頼番号", "Request"),
    "part": ("品名・品番", "Part"),
    "lead_firm": ("元請", "Lead firm"),
    "qty": ("数量", "Quantity"),
    "due": ("納期", "Due"),
    "steps": ("工程", "Steps"),
    "job": ("受注番号", "Job"),
    "entered": ("登録日", "Entered"),
    "asked_count": ("打診", "Asked"),
    "answered_count": ("応募", "Answered"),
    "chosen_count": ("選定", "Chosen"),
    "pages": ("ページ", "Pages"),
    "no_requests": ("該当する依頼はありません。", "No requests."),
    "request_title": ("依頼 {id}", "Request {id}"),
    "back_requests": ("依頼の一覧へ戻る", "Back to the requests"),
    "drawing": ("図面", "Drawing"),
    "material": ("材質", "Material"),
    "certification": ("必要な認証", "Certification required"),
    "budget": ("予算", "Budget"),
    "note": ("備考", "Note"),
    "seq": ("工程番号", "Step"),
    "process": ("工程", "Process"),
    "size_mm": ("最大寸法(mm)", "Largest size (mm)"),
    "tolerance_mm": ("最も厳しい公差(mm)", "Tightest tolerance (mm)"),
    "finish_ra": ("面粗さ Ra(µm)", "Finish Ra (µm)"),
    "hardness": ("硬度", "Hardness"),
    "history": ("経過", "History"),
    "when": ("日時", "When"),
    "event": ("内容", "What"),
    "by": ("実施者", "By"),
    "firm": ("企業", "Firm"),
    "detail": ("詳細", "Detail"),
    "kind_entered": ("登録", "Entered"),
    "kind_asked": ("打診", "Asked"),
    "kind_volunteered": ("応募", "Answered"),
    "kind_chosen": ("選定", "Chosen"),
    "kind_confirmed": ("確定", "Confirmed"),
    "kind_proposed": ("提案", "Proposed"),
    "offer": ("{price} / {date}まで", "{price} by {date}"),
    "hub": ("ハブ(自動)", "Hub (automatic)"),
    "office": ("事務局", "Office"),
    # firms
    "firms_title": ("参加企業とプロフィール", "Member firms and their profiles"),
    "firms_lead": (
        "各社が自社で登録した公開プロフィールです。非公開の項目(稼働状況など)は表示しません。",
        "Each firm's public profile as it registered it. "
        "Private fields (such as load) are never shown.",
    ),
    "code": ("コード", "Code"),
    "name": ("社名", "Name"),
    "region": ("地域", "Region"),
    "region_ota": ("大田区", "Ota ward"),
    "region_tokyo": ("東京圏", "Tokyo area"),
    "region_regional": ("地方企業", "Regional firm"),
    "processes": ("工程", "Processes"),
    "equipment": ("設備", "Equipment"),
    "materials": ("材質", "Materials"),
    "certifications": ("認証", "Certifications"),
    "lot_sizes": ("ロット", "Lot sizes"),
    "contact": ("連絡先", "Contact"),
    "updated": ("更新", "Updated"),
    "not_written": ("未登録(事務局の登録内容)", "Not written yet (as the office registered)"),
    "units": ("{n}台", "× {n}"),
    # QCD
    "qcd_title": ("QCD 実績(全社)", "QCD records (every firm)"),
    "qcd_lead": (
        "イベントから集計した各社の品質・コスト・納期。中央値は1工程以上の企業で計算。",
        "Quality, cost and delivery per firm from the events. "
        "The median is over firms with at least one step.",
    ),
    "qcd_steps": ("工程数", "Steps"),
    "on_time": ("納期遵守率", "On time"),
    "downstream": ("後工程で発見された不良率", "Found downstream"),
    "lead_time": ("リードタイム中央値(時間)", "Lead time, median (h)"),
    "rating_q": ("評価 Q", "Rating Q"),
    "rating_c": ("評価 C", "Rating C"),
    "rating_d": ("評価 D", "Rating D"),
    "ratings": ("評価数", "Ratings"),
    "comments": ("元請のコメント", "Lead firms' comments"),
    "median": ("ネットワーク中央値", "Network median"),
    "no_firms": ("企業がありません。", "No firms."),
    "not_found": ("見つかりません。", "Not found."),
}


def text(key: str, lang: str, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (``ja`` or ``en``), with ``values`` filled in."""
    ja, en = TEXTS[key]
    out = en if lang == "en" else ja
    return out.format(**values) if values else out
