"""Why something was refused, in Japanese and English: one catalogue for screens and CLI.

Every code a person can be shown has one entry here: the core's ``Reason`` codes
(``app/core/rules.py``), the wire format's codes (``wire/events.py``), the store's
(``no_firm``, ``disk_full`` …), the job-entry codes (``app/core/job_input.py``) and the
few the command line and sign-in add (``pin_required``, ``choose_lot`` …).

Qt-free, so the CLI uses it as it is; the screens pick the sentence for their language
(``sentence(code, lang)``). The English of codes the screens already showed is the
screens' own source text and the Japanese its translation in ``nakama_ja.ts``, so a
machinist reads the same words at the touchscreen and in a printed CLI transcript.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_REASONS: dict[str, tuple[str, str]] = {
    # -- the core's rules (app/core/rules.py Reason) -------------------------------------
    "unknown_job": (
        "この端末ではこの案件が登録されていません。",
        "This job is not known on this terminal.",
    ),
    "job_exists": ("この案件はすでに登録されています。", "This job already exists."),
    "not_lead_firm": ("元請企業だけが操作できます。", "Only the lead firm can do this."),
    "bad_route": ("工程の並びが正しくありません。", "The route is not valid."),
    "unknown_process": ("不明な加工コードです。", "Unknown process code."),
    "unknown_op": ("この工程は工程表にありません。", "This step is not on the route."),
    "op_not_for_this_firm": ("この工程は他社の担当です。", "This step belongs to another firm."),
    "unknown_lot": ("このロットは登録されていません。", "This lot is not known."),
    "lot_exists": ("このロットはすでにあります。", "This lot already exists."),
    "already_received": (
        "このロットはすでに受入済みです。",
        "This lot was already received here.",
    ),
    "count_exceeds_lot": ("数量がロット数を超えています。", "The count is larger than the lot."),
    "lot_not_received": ("先にロットを受入してください。", "Receive the lot first."),
    "op_already_started": ("この工程はすでに着手済みです。", "This step was already started."),
    "op_already_finished": ("この工程はすでに完了しています。", "This step is already finished."),
    "op_not_started": ("先に着手してください。", "Start the step first."),
    "op_not_running": ("この工程は作業中ではありません。", "The step is not running."),
    "op_not_paused": ("この工程は中断中ではありません。", "The step is not paused."),
    "op_not_finished": (
        "先にこの工程を完了してください。",
        "Finish this step before handing the parts on.",
    ),
    "unknown_pause_reason": ("中断の理由を選んでください。", "Choose a reason for the pause."),
    "counts_exceed_received": (
        "良品＋不良＋廃棄が受入数を超えています。",
        "Good + defect + scrap is more than was received.",
    ),
    "scrap_below_recorded": (
        "廃棄数が、この工程で廃棄と記録した数より少なくなっています。",
        "Fewer scrapped parts than were recorded as scrap at this step.",
    ),
    "defects_exceed_received": (
        "不良数が受入数を超えています。",
        "More defects than parts received.",
    ),
    "unknown_defect_code": ("不明な不良コードです。", "Unknown defect code."),
    "bad_disposition": (
        "手直し・廃棄・保留から選んでください。",
        "Choose rework, scrap or hold.",
    ),
    "bad_tolerance": ("公差が正しくありません。", "The tolerance is not valid."),
    "handoff_exceeds_good": (
        "良品数を超えて引渡しはできません。",
        "You cannot hand off more than the good parts.",
    ),
    "handoff_to_self": (
        "引渡し先に別の会社を選んでください。",
        "Choose another firm to hand off to.",
    ),
    "split_exceeds_lot": (
        "分割後も元のロットに部品が残る必要があります。",
        "A split must leave parts in the lot.",
    ),
    "unknown_event": ("その記録はこの端末にありません。", "There is no such record here."),
    "cannot_correct": ("その記録は訂正できません。", "That record cannot be corrected."),
    "bad_machine_state": ("機械の状態が正しくありません。", "Unknown machine state."),
    "job_mismatch": (
        "訂正が別の案件の記録を指しています。",
        "The correction names a record of another job.",
    ),
    "job_id_not_yours": (
        "注番は自社コードで始めてください (例 F001-…)。",
        "A job number starts with your own firm code (e.g. F001-…).",
    ),
    "not_your_event": (
        "他社の記録です。訂正できるのはその会社だけです。",
        "That record is another firm's: only they can correct it.",
    ),
    "replacement_type": (
        "訂正で記録の種類は変えられません。",
        "A correction cannot change the kind of record.",
    ),
    "already_corrected": (
        "その記録はすでに訂正されています。新しい記録を訂正してください。",
        "That record was already corrected; correct the newer record instead.",
    ),
    "bad_lot_id": (
        "ロット番号の形が正しくありません (例 F001-261129-7K3Q-L1)。",
        "That is not a lot number of this job (e.g. F001-261129-7K3Q-L1).",
    ),
    "split_while_running": (
        "作業中・中断中は分割できません。完了するか、着手前に分割してください。",
        "A lot cannot be split while the step runs or is paused.",
    ),
    "skips_steps": (
        "前の工程の記録がありません。現品票を確認して、飛ばすことを確認してください。",
        "Earlier steps have no records for this lot. Check the traveler and confirm.",
    ),
    "not_at_this_step": (
        "このロットはもうこの工程にありません。",
        "This lot is no longer at this step.",
    ),
    "no_operator": (
        "先にサインインしてください。すべての記録に作業者が残ります"
        " (社員証を読み取るか、ID を入力)。",
        "Sign in first: every record says who made it (scan your badge or give your id).",
    ),
    "not_owner": (
        "社長だけができる操作です（他の人の記録の訂正を含む）。",
        "Only the owner can do this (or correct another person's record).",
    ),
    "not_approver": (
        "記録の承認は社長か検査員だけができます。",
        "Only the owner or an inspector can approve records.",
    ),
    "not_on_route": (
        "この案件の工程に加わっている会社だけが承認できます。",
        "Only a firm on this job's route can approve its lots.",
    ),
    "nothing_to_approve": ("承認する記録がありません。", "There are no records to approve."),
    "approver_pin_required": (
        "承認には本人の暗証番号が必要です。先に暗証番号を設定してください"
        " (nakama operators add … --pin)。",
        "Approving needs the approver's own PIN. Give them a PIN first"
        " (nakama operators add … --pin).",
    ),
    "already_approved": (
        "すでに承認済みです。承認後の訂正・追加の記録はありません。",
        "Already approved; nothing was corrected or recorded after the approval.",
    ),
    "changed_since_approval": (
        "承認済みですが、承認後に訂正または記録があります。内容を確認のうえ、"
        "もう一度承認してください (--again)。",
        "Approved, but records were corrected or added after the approval. Look at them,"
        " then approve again (--again).",
    ),
    "unknown_operator": (
        "この作業者は登録されていないか、退職済みです。",
        "This operator is not registered here, or has left.",
    ),
    "not_a_job_event": (
        "機械の信号や作業者の登録は案件の記録ではありません。",
        "A machine signal or an operator record does not belong to a job.",
    ),
    "seq_conflict": (
        "同じ端末の同じ番号の記録が二つあります。後のものは受け付けません。",
        "Two records of one terminal carry the same number; the later one is refused.",
    ),
    "bad_pin": (
        "暗証番号が違います。もう一度入力してください。",
        "The PIN is not right. Try again.",
    ),
    "owner_pin_required": (
        "全画面モードを終了するには社長の暗証番号が必要です。社長に暗証番号を設定してください"
        " (nakama operators add … --pin)。",
        "Leaving full-screen mode needs the owner's PIN. Give the owner a PIN first "
        "(nakama operators add … --pin).",
    ),
    "bad_count": ("数量が正しくありません。", "The count is not valid."),
    "not_your_firm": ("他社の作業者は登録できません。", "That operator belongs to another firm."),
    "bad_field": ("項目の形式が正しくありません。", "A field is not in the right form."),
    # -- the wire format (wire/events.py WireError) --------------------------------------
    "not_an_object": ("記録の形が正しくありません。", "The record is not an object."),
    "unknown_field": ("不明な項目があります。", "There is a field this program does not know."),
    "bad_envelope": ("記録の見出しが正しくありません。", "The record's envelope is not valid."),
    "unsupported_schema_version": (
        "新しい形式の記録です。Nakama を更新してください。",
        "A record of a newer format. Update Nakama.",
    ),
    "unknown_event_type": ("不明な種類の記録です。", "Unknown kind of record."),
    "bad_payload": ("記録の中身が正しくありません。", "The record's contents are not valid."),
    "missing_field": ("必須項目がありません。", "A required field is missing."),
    # -- the store and the terminal ------------------------------------------------------
    "no_firm": ("この端末に会社が設定されていません。", "This terminal has no firm set."),
    "badge_taken": (
        "このバッジ番号は別の作業者が使っています。",
        "Another operator has this badge code.",
    ),
    "disk_full": (
        "ディスクがいっぱいです。この記録は保存されていません。",
        "The disk is full. This record was NOT saved.",
    ),
    "io_error": (
        "保存に失敗しました。この記録は保存されていません。",
        "Saving failed. This record was NOT saved.",
    ),
    "not_a_database": (
        "このファイルは Nakama のデータベースではありません。",
        "This file is not a database. Nothing was written to it.",
    ),
    "foreign_database": (
        "別のプログラムのデータベースです。変更していません。",
        "This is another program's SQLite database. Nothing was written to it.",
    ),
    "schema_too_new": (
        "新しいバージョンの Nakama で作られたデータベースです。アプリを更新してください。",
        "The database was made by a newer Nakama. Update this program; the file is untouched.",
    ),
    "integrity_failed": (
        "データベースが壊れています。バックアップ (*.bak) から復元してください。",
        "The database is damaged. Restore it from a backup (*.bak); it was not modified.",
    ),
    "restore_too_new": (
        "このバックアップは新しいバージョンの Nakama で作られました。古いバージョンには戻せません"
        "(ダウングレード不可)。Nakama を更新してから復元してください。何も変更していません。",
        "This backup was made by a newer Nakama; an older version cannot take it (no "
        "downgrade). Update Nakama, then restore. Nothing was changed.",
    ),
    "restore_recovering": (
        "復元したデータベースです。ハブから自端末の記録を取り戻すまで記録できません。同期してください。",
        "This database was restored from a backup. Nothing can be recorded until this "
        "terminal's own records are back from the hub: sync first.",
    ),
    "read_only": (
        "データベースに書き込めません (読み取り専用)。",
        "The database is read-only; nothing could be saved.",
    ),
    "locked": ("データベースが別のプログラムで使用中です。", "The database is busy; try again."),
    # -- typing in a job (app/core/job_input.py) -----------------------------------------
    "too_long": ("項目が長すぎます。", "A field is too long."),
    "bad_qty": (
        "数量は 1 以上の整数にしてください。",
        "Quantity must be a whole number, 1 or more.",
    ),
    "bad_date": ("納期は YYYY-MM-DD で指定してください。", "Give the due date as YYYY-MM-DD."),
    "bad_price": ("単価は整数 (円) にしてください。", "Unit price must be a whole number of yen."),
    "step_due_after_due": (
        "工程の期限が案件の納期より後になっています。",
        "A step's due date is after the job's due date.",
    ),
    "step_due_passed": ("工程の期限が過ぎています。", "A step's due date has passed."),
    "bad_file": ("ファイルを読めません (JSON か CSV)。", "Cannot read the file (JSON or CSV)."),
    # -- the hub (app/sync) ------------------------------------------------------------
    "offline": ("ハブに接続できません。ネットワークを確認してください。", "Cannot reach the hub."),
    "timeout": ("ハブの応答がありません。", "The hub did not answer in time."),
    "unauthorized": (
        "この端末の登録は無効です。事務局に新しい登録コードを依頼してください。",
        "This terminal's token is not accepted (revoked?). Ask the office for a new code.",
    ),
    "bad_enroll_code": (
        "登録コードが正しくないか、使用済み・期限切れです。",
        "The enrolment code is wrong, used or expired.",
    ),
    "not_enrolled": (
        "ハブに登録されていません。nakama enroll を実行してください。",
        "This terminal is not enrolled with a hub. Run: nakama enroll HUB_URL CODE",
    ),
    "no_hub_url": (
        "ハブの URL がありません。nakama enroll HUB_URL CODE と入力してください。",
        "No hub address: run nakama enroll HUB_URL CODE (or set hub_url).",
    ),
    "firm_differs": (
        "この端末は別の事業者の記録を持っています。登録できません。",
        "This terminal holds another firm's records; it cannot join this firm.",
    ),
    # -- the first-run wizard (app/core/setup.py) -----------------------------------------
    "setup_firm_name": ("会社名を入力してください。", "Type the firm's name."),
    "setup_firm_code": (
        "事業者コードは英大文字・数字 16 文字まで (例 F012) にしてください。",
        "A firm code is up to 16 capital letters or digits (e.g. F012).",
    ),
    "setup_owner_name": ("社長の名前を入力してください。", "Type the owner's name."),
    "setup_pin_length": ("暗証番号は 4〜8 桁の数字です。", "A PIN is 4 to 8 digits."),
    "setup_pin_differs": (
        "2 回の暗証番号が違います。もう一度入力してください。",
        "The two PINs differ. Type it again.",
    ),
    "setup_operator_name": ("作業者の名前を入力してください。", "Type the operator's name."),
    "setup_owner_missing": (
        "先に社長を暗証番号つきで登録してください。",
        "Register the owner with a PIN first.",
    ),
    "bad_enrol_qr": (
        "登録用の QR コードではありません。ハブの登録コードの QR を読ませてください。",
        "That is not an enrolment QR. Scan the QR the hub printed for enrolment.",
    ),
    # -- the consortium: profiles, requests, prices ----------------------------------------
    "not_found": (
        "見つかりません (または自社に関係のないものです)。",
        "Not found (or not your firm's business).",
    ),
    "forbidden": ("この端末では操作できません。", "This terminal may not do this."),
    "not_capable": (
        "自社のプロフィールはこの工程に合いません (工程・設備・認証)。",
        "Your firm's profile does not fit this step (process, machines, certification).",
    ),
    "request_closed": (
        "この依頼はすでに確定または取消されています。",
        "This request is already confirmed or cancelled.",
    ),
    "route_mismatch": (
        "工程表の工程が依頼の工程と一致しません。",
        "The route's processes differ from the request's steps.",
    ),
    "job_not_on_hub": (
        "案件がまだハブにありません。同期してからもう一度確定してください。",
        "The job is not on the hub yet: sync, then confirm again.",
    ),
    "job_linked": (
        "この案件はすでに別の依頼に結び付いています。",
        "This job is already linked to another request.",
    ),
    "not_delivered": (
        "納品前の案件は評価できません。",
        "A job can be rated only after its delivery.",
    ),
    "no_candidate": (
        "この工程を担当できる事業者がいません。",
        "No firm can do this step.",
    ),
    # -- printing travelers and badges --------------------------------------------------
    "too_large": (
        "QR コードに収まりません (備考が長すぎます)。",
        "Too much for one QR code (the note is too long).",
    ),
    "write_failed": ("PDF を書き込めません。", "Cannot write the PDF."),
    # -- signing in and choosing what to act on ------------------------------------------
    "pin_required": (
        "この作業者には暗証番号があります。暗証番号を入力してください。",
        "This operator has a PIN: give it.",
    ),
    "pin_format": ("暗証番号は 4〜8 桁の数字にしてください。", "A PIN is 4 to 8 digits."),
    "pin_mismatch": (
        "暗証番号が一致しません。もう一度入力してください。",
        "The two PINs differ; enter it again.",
    ),
    "choose_lot": (
        "ロットが複数あります。どのロットか指定してください。",
        "Several lots are here: say which one.",
    ),
    "no_lot_here": (
        "この案件で自社が作業できるロットはありません。",
        "No lot of this job is waiting for your firm.",
    ),
    "choose_op": (
        "工程を指定してください。",
        "Say which step.",
    ),
    # -- drawings and photos (app/core/drawings.py, app/store/files.py) -------------------
    "drawing_no_mismatch": (
        "図面番号が案件と違います。",
        "The drawing number differs from the job's.",
    ),
    "drawing_rev_mismatch": (
        "図面の改訂が案件（現品票）と違います。",
        "The drawing's revision differs from the job's (and the traveler's).",
    ),
    "drawing_file_rev_mismatch": (
        "ファイル名の改訂と登録された改訂が違います。",
        "The file's name states another revision than the one recorded.",
    ),
    "drawing_revised_after_traveler": (
        "現品票の印刷後に図面が改訂されました。手元の現品票は旧改訂です。",
        "The drawing was revised after the traveler was printed: the sheet in hand "
        "goes with the old revision.",
    ),
    "not_a_drawing": (
        "図面は PDF か画像（PNG・JPEG・WebP）にしてください。",
        "A drawing must be a PDF or an image (PNG, JPEG, WebP).",
    ),
    "file_too_large": (
        "ファイルが大きすぎます（20 MB まで）。",
        "The file is too large (20 MB at most).",
    ),
    "file_unreadable": ("ファイルを読めません。", "The file cannot be read."),
    "file_not_here_yet": (
        "ファイルはまだこの端末に届いていません。ハブとつながると届きます。",
        "The file has not reached this terminal yet; it comes when the hub is reachable.",
    ),
}

REASONS: Mapping[str, tuple[str, str]] = MappingProxyType(_REASONS)
REFUSED = ("受け付けられません", "Refused")


def pair(code: str) -> tuple[str, str]:
    """(Japanese, English) for ``code``; an unknown code is named, never hidden."""
    found = REASONS.get(code)
    if found is not None:
        return found
    return (f"{REFUSED[0]} ({code})", f"{REFUSED[1]} ({code})")


def sentence(code: str, lang: str = "ja") -> str:
    """The sentence for ``code`` in ``lang`` (``ja`` or ``en``)."""
    ja, en = pair(code)
    return en if lang == "en" else ja


def explain(code: str, detail: str = "") -> str:
    """Both languages and the code, as the command line prints a refusal::

    この工程はすでに着手済みです。
    This step was already started.
      [op_already_started] F001-…-L1 op 10
    """
    ja, en = pair(code)
    tail = f" {detail}" if detail else ""
    return f"{ja}\n{en}\n  [{code}]{tail}"
