<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en">
  <context>
    <name>Nakama</name>
    <message>
      <source>Hold a traveler's QR code up to the camera</source>
      <translation>工程表の QR コードをカメラに向けてください</translation>
    </message>
    <message>
      <source>Bring the code closer to the camera</source>
      <translation>コードをカメラに近づけて</translation>
    </message>
    <message>
      <source>Hold the sheet still</source>
      <translation>用紙を止めて</translation>
    </message>
    <message>
      <source>More light on the code</source>
      <translation>コードを明るく照らして</translation>
    </message>
    <message>
      <source>The camera is not answering. Check its cable.</source>
      <translation>カメラが応答しません。ケーブルを確認してください。</translation>
    </message>
    <message>
      <source>Starting the camera…</source>
      <translation>カメラを起動しています…</translation>
    </message>
    <message>
      <source>Settings are for the owner.</source>
      <translation>設定は社長だけが開けます。</translation>
    </message>
    <message>
      <source>Take photo</source>
      <translation>撮影</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>閉じる</translation>
    </message>
    <message>
      <source>Record without a photo</source>
      <translation>写真なしで記録</translation>
    </message>
    <message>
      <source>Point the camera at the defect and tap “Take photo”.</source>
      <translation>カメラを不良箇所に向けて「撮影」を押してください。</translation>
    </message>
    <message>
      <source>Photo of the defect: {0}</source>
      <translation>不良の写真：{0}</translation>
    </message>
    <message>
      <source>No camera is set on this terminal.</source>
      <translation>この端末にはカメラが設定されていません。</translation>
    </message>
    <message>
      <source>Waiting for the camera…</source>
      <translation>カメラの映像を待っています…</translation>
    </message>
    <message>
      <source>Photo</source>
      <translation>写真</translation>
    </message>
    <message>
      <source>Record with photos ({0})</source>
      <translation>写真 {0} 枚で記録</translation>
    </message>
    <message>
      <source>{0} of {1} photos. Tap a photo to see it full size.</source>
      <translation>写真 {0} / {1} 枚。写真を押すと大きく表示します。</translation>
    </message>
    <message>
      <source>Drawing file</source>
      <translation>図面ファイル</translation>
    </message>
    <message>
      <source>Show drawing</source>
      <translation>図面</translation>
    </message>
    <message>
      <source>Attach drawing</source>
      <translation>図面を添付</translation>
    </message>
    <message>
      <source>Drawing attached</source>
      <translation>図面添付</translation>
    </message>
    <message>
      <source>Saved: {0}</source>
      <translation>記録しました：{0}</translation>
    </message>
    <message>
      <source>⚠ Drawing {0}: check</source>
      <translation>⚠ 図面 {0} 要確認</translation>
    </message>
    <message>
      <source>Drawing {0}</source>
      <translation>図面 {0}</translation>
    </message>
    <message>
      <source>Drawing {0}  rev {1}</source>
      <translation>図面 {0}　改訂 {1}</translation>
    </message>
    <message>
      <source>drawing {0}, job {1}</source>
      <translation>図面 {0}・案件 {1}</translation>
    </message>
    <message>
      <source>now rev {0}, traveler printed at rev {1}</source>
      <translation>現在 改訂 {0}・現品票は改訂 {1} で印刷</translation>
    </message>
    <message>
      <source>recorded rev {0}, file name rev {1}</source>
      <translation>登録 改訂 {0}・ファイル名 改訂 {1}</translation>
    </message>
    <message>
      <source>drawing rev {0}, job rev {1}</source>
      <translation>図面 改訂 {0}・案件 改訂 {1}</translation>
    </message>
    <message>
      <source>Undo this record</source>
      <translation>記録を取り消す</translation>
    </message>
    <message>
      <source>“{0}” will be struck out and no longer count. It stays in the record, with who undid it.</source>
      <translation>「{0}」に取り消し線が引かれ、集計に入らなくなります。記録そのものは、誰が取り消したかと共に残ります。</translation>
    </message>
    <message>
      <source>Undo this record?</source>
      <translation>この記録を取り消しますか？</translation>
    </message>
    <message>
      <source>Undo the record</source>
      <translation>記録を取り消す</translation>
    </message>
    <message>
      <source>Just recorded: {0}</source>
      <translation>記録しました：{0}</translation>
    </message>
    <message>
      <source>Parts</source>
      <translation>個数</translation>
    </message>
    <message>
      <source>Good</source>
      <translation>良品</translation>
    </message>
    <message>
      <source>Defect</source>
      <translation>不良</translation>
    </message>
    <message>
      <source>Scrap</source>
      <translation>廃棄</translation>
    </message>
    <message>
      <source>Time</source>
      <translation>日時</translation>
    </message>
    <message>
      <source>Record</source>
      <translation>記録</translation>
    </message>
    <message>
      <source>Step</source>
      <translation>工程</translation>
    </message>
    <message>
      <source>Who</source>
      <translation>作業者</translation>
    </message>
    <message>
      <source>Firm</source>
      <translation>会社</translation>
    </message>
    <message>
      <source>Details</source>
      <translation>内容</translation>
    </message>
    <message>
      <source>Correct the numbers</source>
      <translation>数量を訂正</translation>
    </message>
    <message>
      <source>Only the owner may fix another person's record.</source>
      <translation>他の人の記録を直せるのは社長だけです。</translation>
    </message>
    <message>
      <source>Fix the numbers</source>
      <translation>数量を訂正する</translation>
    </message>
    <message>
      <source>◀ Jobs</source>
      <translation>◀ 案件一覧</translation>
    </message>
    <message>
      <source>Print traveler</source>
      <translation>工程表を発行</translation>
    </message>
    <message>
      <source>Record (tap an entry marked ✎ to correct or undo it)</source>
      <translation>記録（✎ の付いた記録をタップすると訂正・取り消しができます）</translation>
    </message>
    <message>
      <source>Route</source>
      <translation>工程</translation>
    </message>
    <message>
      <source>Print the new lot's traveler?</source>
      <translation>新しいロットの工程表を発行しますか？</translation>
    </message>
    <message>
      <source>Parts received</source>
      <translation>受入数</translation>
    </message>
    <message>
      <source>Why pause?</source>
      <translation>中断の理由は？</translation>
    </message>
    <message>
      <source>Finish: count the parts</source>
      <translation>完了：数量を入力</translation>
    </message>
    <message>
      <source>Which defect?</source>
      <translation>不良の種類は？</translation>
    </message>
    <message>
      <source>Rework</source>
      <translation>手直し</translation>
    </message>
    <message>
      <source>Hold</source>
      <translation>保留</translation>
    </message>
    <message>
      <source>What happens to them?</source>
      <translation>処置は？</translation>
    </message>
    <message>
      <source>Unknown job</source>
      <translation>不明な案件</translation>
    </message>
    <message>
      <source>Nothing for your firm to do on this job now.</source>
      <translation>この案件で今あなたの会社の作業はありません。</translation>
    </message>
    <message>
      <source>Print the traveler of which lot?</source>
      <translation>どのロットの工程表を発行しますか？</translation>
    </message>
    <message>
      <source>Printer {0} is not connected. PDF written: {1}</source>
      <translation>プリンター {0} がつながっていません。PDF を保存しました：{1}</translation>
    </message>
    <message>
      <source>{0} parts now travel as lot {1}. The new traveler names its parent lot {2}.</source>
      <translation>{0} 個がロット {1} として先に進みます。新しい工程表には親ロット {2} が記載されます。</translation>
    </message>
    <message>
      <source>The receipt will be recorded as skipping them, and they stay listed on this job until their records arrive.</source>
      <translation>これらの工程を飛ばした受入として記録し、記録が届くまでこの案件に表示し続けます。</translation>
    </message>
    <message>
      <source>Hand off to {0}</source>
      <translation>{0} へ引渡し</translation>
    </message>
    <message>
      <source>Split {0}: how many parts go under the new lot?</source>
      <translation>{0} を分割：新しいロットに移す個数は？</translation>
    </message>
    <message>
      <source>Drawing {0}   Qty {1}   Due {2}   Lead firm {3}</source>
      <translation>図番 {0}   数量 {1}   納期 {2}   元請 {3}</translation>
    </message>
    <message>
      <source>Step {0} {1}</source>
      <translation>工程 {0} {1}</translation>
    </message>
    <message>
      <source>Correction</source>
      <translation>訂正</translation>
    </message>
    <message>
      <source>Received</source>
      <translation>受入</translation>
    </message>
    <message>
      <source>Receive past steps with no records?</source>
      <translation>記録のない工程を飛ばして受け入れますか？</translation>
    </message>
    <message>
      <source>Receive, skipping them</source>
      <translation>飛ばして受け入れる</translation>
    </message>
    <message>
      <source>Measure: {0}</source>
      <translation>測定：{0}</translation>
    </message>
    <message>
      <source>Conflicting record</source>
      <translation>矛盾する記録</translation>
    </message>
    <message>
      <source>… {0} conflicting records in all</source>
      <translation>… 矛盾する記録は全部で {0} 件</translation>
    </message>
    <message>
      <source>Part name {0}</source>
      <translation>品名 {0}</translation>
    </message>
    <message>
      <source>Material {0}</source>
      <translation>材質 {0}</translation>
    </message>
    <message>
      <source>Note: {0}</source>
      <translation>備考：{0}</translation>
    </message>
    <message>
      <source>The traveler could not be written.</source>
      <translation>工程表を書き出せませんでした。</translation>
    </message>
    <message>
      <source>Traveler printed on {0}; PDF kept: {1}</source>
      <translation>工程表を {0} で印刷しました。PDF も保存：{1}</translation>
    </message>
    <message>
      <source>Lot {0} split off. Ask the lead firm to print its traveler.</source>
      <translation>ロット {0} を分割しました。工程表の発行は元請に依頼してください。</translation>
    </message>
    <message>
      <source>{0} received at step {1} without records of: {2}</source>
      <translation>{0} は工程 {1} で受け入れましたが、次の工程の記録がまだありません：{2}</translation>
    </message>
    <message>
      <source>due {0}</source>
      <translation>期限 {0}</translation>
    </message>
    <message>
      <source>from {0}</source>
      <translation>{0} から分割</translation>
    </message>
    <message>
      <source>Traveler written for the printer: {0}</source>
      <translation>工程表を書き出しました（印刷してください）：{0}</translation>
    </message>
    <message>
      <source>No records of these steps have reached this terminal:</source>
      <translation>次の工程の記録がこの端末にまだ届いていません：</translation>
    </message>
    <message>
      <source>NG</source>
      <translation>不良</translation>
    </message>
    <message>
      <source>Handed off {0}</source>
      <translation>引渡 {0}</translation>
    </message>
    <message>
      <source>Part</source>
      <translation>品番</translation>
    </message>
    <message>
      <source>Qty</source>
      <translation>数量</translation>
    </message>
    <message>
      <source>Due</source>
      <translation>納期</translation>
    </message>
    <message>
      <source>Where</source>
      <translation>所在</translation>
    </message>
    <message>
      <source>Your next step</source>
      <translation>次の作業</translation>
    </message>
    <message>
      <source>No jobs yet. Scan a traveler to begin.</source>
      <translation>案件がありません。工程表をスキャンしてください。</translation>
    </message>
    <message>
      <source>Scan a traveler's QR code to open its job.</source>
      <translation>工程表の QR コードをスキャンすると案件が開きます。</translation>
    </message>
    <message>
      <source>Jobs</source>
      <translation>案件一覧</translation>
    </message>
    <message>
      <source>New job</source>
      <translation>新規案件</translation>
    </message>
    <message>
      <source>⚙ Settings</source>
      <translation>⚙ 設定</translation>
    </message>
    <message>
      <source>On the way to {0}</source>
      <translation>{0} へ輸送中</translation>
    </message>
    <message>
      <source>Exit</source>
      <translation>終了</translation>
    </message>
    <message>
      <source>Leave full-screen mode</source>
      <translation>全画面モードの終了</translation>
    </message>
    <message>
      <source>Only the owner can leave full-screen mode. Tap your name.</source>
      <translation>全画面モードを終了できるのは社長だけです。名前をタップしてください。</translation>
    </message>
    <message>
      <source>Leave</source>
      <translation>終了する</translation>
    </message>
    <message>
      <source>The day's review is for the owner.</source>
      <translation>今日のまとめは社長が見る画面です。</translation>
    </message>
    <message>
      <source>Nakama shop-floor terminal</source>
      <translation>Nakama 現場端末</translation>
    </message>
    <message>
      <source>Dismiss</source>
      <translation>開かない</translation>
    </message>
    <message>
      <source>Today</source>
      <translation>今日のまとめ</translation>
    </message>
    <message>
      <source>Sign in</source>
      <translation>サインイン</translation>
    </message>
    <message>
      <source>No hub</source>
      <translation>ハブ未接続</translation>
    </message>
    <message>
      <source>Scanned while a dialog was open: {0}</source>
      <translation>ダイアログ中に読み取った工程表：{0}</translation>
    </message>
    <message>
      <source>Open {0}</source>
      <translation>{0} を開く</translation>
    </message>
    <message>
      <source>Signed out after {0} min without use.</source>
      <translation>{0} 分操作がなかったのでサインアウトしました。</translation>
    </message>
    <message>
      <source>Devices {0}/{1}</source>
      <translation>機器 {0}/{1}</translation>
    </message>
    <message>
      <source>Hub: online</source>
      <translation>ハブ：接続中</translation>
    </message>
    <message>
      <source>Hub: offline</source>
      <translation>ハブ：オフライン</translation>
    </message>
    <message>
      <source>To send: {0}</source>
      <translation>送信待ち：{0}件</translation>
    </message>
    <message>
      <source>Operator: {0}</source>
      <translation>作業者：{0}</translation>
    </message>
    <message>
      <source>Refused by hub: {0}</source>
      <translation>ハブで拒否：{0}件</translation>
    </message>
    <message>
      <source>oldest {0} h</source>
      <translation>最古 {0} 時間前</translation>
    </message>
    <message>
      <source>last sync {0}</source>
      <translation>最終同期 {0}</translation>
    </message>
    <message>
      <source>Nominal</source>
      <translation>基準値</translation>
    </message>
    <message>
      <source>Tol −</source>
      <translation>公差 −</translation>
    </message>
    <message>
      <source>Tol +</source>
      <translation>公差 +</translation>
    </message>
    <message>
      <source>Measured</source>
      <translation>測定値</translation>
    </message>
    <message>
      <source>Gauge unplugged</source>
      <translation>ゲージが抜けています</translation>
    </message>
    <message>
      <source>Gauge not responding</source>
      <translation>ゲージの応答なし</translation>
    </message>
    <message>
      <source>Gauge connecting…</source>
      <translation>ゲージ接続中…</translation>
    </message>
    <message>
      <source>Asking the gauge…</source>
      <translation>ゲージに問い合わせ中…</translation>
    </message>
    <message>
      <source>A gauge value cannot be recorded now; a typed value can</source>
      <translation>ゲージの値は今は記録できません（手入力はできます）</translation>
    </message>
    <message>
      <source>Take</source>
      <translation>取得</translation>
    </message>
    <message>
      <source>Enter nominal, tolerances and the measured value</source>
      <translation>基準値・公差・測定値を入力してください</translation>
    </message>
    <message>
      <source>Typed by hand</source>
      <translation>手入力</translation>
    </message>
    <message>
      <source>Gauge, live: tap Take to use this value</source>
      <translation>ゲージ（ライブ）：取得で値を固定</translation>
    </message>
    <message>
      <source>● Gauge connected</source>
      <translation>● ゲージ接続</translation>
    </message>
    <message>
      <source>Gauge value, taken</source>
      <translation>ゲージ値（取得で固定）</translation>
    </message>
    <message>
      <source>Gauge value, sent by its DATA button</source>
      <translation>ゲージ値（DATAボタンで固定）</translation>
    </message>
    <message>
      <source>stable</source>
      <translation>安定</translation>
    </message>
    <message>
      <source>settling</source>
      <translation>不安定</translation>
    </message>
    <message>
      <source>Gauge: {0}</source>
      <translation>ゲージ：{0}</translation>
    </message>
    <message>
      <source>Drawing</source>
      <translation>図番</translation>
    </message>
    <message>
      <source>Customer</source>
      <translation>顧客</translation>
    </message>
    <message>
      <source>Unit price (yen)</source>
      <translation>単価（円）</translation>
    </message>
    <message>
      <source>Note</source>
      <translation>備考</translation>
    </message>
    <message>
      <source>Part name</source>
      <translation>品名</translation>
    </message>
    <message>
      <source>Material</source>
      <translation>材質</translation>
    </message>
    <message>
      <source>Revision</source>
      <translation>版</translation>
    </message>
    <message>
      <source>Instructions</source>
      <translation>作業指示</translation>
    </message>
    <message>
      <source>Job number</source>
      <translation>注番</translation>
    </message>
    <message>
      <source>{0}: please fill this in.</source>
      <translation>{0}を入力してください。</translation>
    </message>
    <message>
      <source>{0}: too long (at most 200 characters).</source>
      <translation>{0}が長すぎます（200 文字まで）。</translation>
    </message>
    <message>
      <source>{0}: a whole number, 1 or more.</source>
      <translation>{0}は 1 以上の整数で入力してください。</translation>
    </message>
    <message>
      <source>{0}: not a date.</source>
      <translation>{0}が日付になっていません。</translation>
    </message>
    <message>
      <source>{0}: a whole number of yen.</source>
      <translation>{0}は円単位の整数で入力してください。</translation>
    </message>
    <message>
      <source>{0}: add the steps in order.</source>
      <translation>工程の順番が正しくありません。工程を順に追加してください。</translation>
    </message>
    <message>
      <source>No date</source>
      <translation>期限なし</translation>
    </message>
    <message>
      <source>Add step</source>
      <translation>工程を追加</translation>
    </message>
    <message>
      <source>Remove last step</source>
      <translation>最後の工程を削除</translation>
    </message>
    <message>
      <source>Tap “Add step” for each process, in order.</source>
      <translation>「工程を追加」で工程を順に追加してください。</translation>
    </message>
    <message>
      <source>Back without saving</source>
      <translation>保存せずに戻る</translation>
    </message>
    <message>
      <source>Create job</source>
      <translation>案件を作成</translation>
    </message>
    <message>
      <source>Add at least one step to the route.</source>
      <translation>工程を 1 つ以上追加してください。</translation>
    </message>
    <message>
      <source>The due date has passed.</source>
      <translation>納期が過ぎています。</translation>
    </message>
    <message>
      <source>Step {0}: {1}</source>
      <translation>工程 {0}：{1}</translation>
    </message>
    <message>
      <source>Choose the drawing (PDF or image)…</source>
      <translation>図面を選ぶ（PDF・画像）…</translation>
    </message>
    <message>
      <source>Step {0}: which process?</source>
      <translation>工程 {0}：加工を選んでください</translation>
    </message>
    <message>
      <source>Step {0}: {1} by which firm?</source>
      <translation>工程 {0}（{1}）：事業者を選んでください</translation>
    </message>
    <message>
      <source>A route has at most {0} steps.</source>
      <translation>工程は {0} までです。</translation>
    </message>
    <message>
      <source>Owner's approval</source>
      <translation>社長の承認</translation>
    </message>
    <message>
      <source>Approve</source>
      <translation>承認する</translation>
    </message>
    <message>
      <source>{0} has no PIN yet: tap Approve, then set one in Settings.</source>
      <translation>{0} さんには暗証番号がありません。「承認する」をタップし、設定で暗証番号を決めてください。</translation>
    </message>
    <message>
      <source>This terminal has no owner registered.</source>
      <translation>この端末には社長が登録されていません。</translation>
    </message>
    <message>
      <source>◀ Names</source>
      <translation>◀ 名前へ戻る</translation>
    </message>
    <message>
      <source>{0}: enter your PIN</source>
      <translation>{0}：暗証番号を入力してください</translation>
    </message>
    <message>
      <source>Started</source>
      <translation>着手</translation>
    </message>
    <message>
      <source>Paused</source>
      <translation>中断中</translation>
    </message>
    <message>
      <source>Resumed</source>
      <translation>再開</translation>
    </message>
    <message>
      <source>Finished</source>
      <translation>完了</translation>
    </message>
    <message>
      <source>Handed off</source>
      <translation>引渡し</translation>
    </message>
    <message>
      <source>Split</source>
      <translation>分割</translation>
    </message>
    <message>
      <source>Approved</source>
      <translation>承認</translation>
    </message>
    <message>
      <source>{d} d {h} h</source>
      <translation>{d}日 {h}時間</translation>
    </message>
    <message>
      <source>Tap a row to see the lot's history across every firm.</source>
      <translation>行をタップすると、そのロットの全社の履歴を表示します。</translation>
    </message>
    <message>
      <source>Job</source>
      <translation>案件</translation>
    </message>
    <message>
      <source>Days left</source>
      <translation>残り日数</translation>
    </message>
    <message>
      <source>Days needed</source>
      <translation>必要日数</translation>
    </message>
    <message>
      <source>Steps to do</source>
      <translation>残りの工程</translation>
    </message>
    <message>
      <source>Approve this lot's inspection results</source>
      <translation>このロットの検査結果を承認</translation>
    </message>
    <message>
      <source>No lot worked in this period.</source>
      <translation>この期間に作業したロットはありません。</translation>
    </message>
    <message>
      <source>Approve this day's records</source>
      <translation>この日の記録を承認</translation>
    </message>
    <message>
      <source>Part / job</source>
      <translation>品番 / 注番</translation>
    </message>
    <message>
      <source>Operators</source>
      <translation>作業者</translation>
    </message>
    <message>
      <source>Worked</source>
      <translation>作業</translation>
    </message>
    <message>
      <source>Wait in</source>
      <translation>着手待ち</translation>
    </message>
    <message>
      <source>Wait out</source>
      <translation>出荷待ち</translation>
    </message>
    <message>
      <source>Rcvd</source>
      <translation>受入</translation>
    </message>
    <message>
      <source>Def.</source>
      <translation>不良</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状況</translation>
    </message>
    <message>
      <source>Lot</source>
      <translation>ロット</translation>
    </message>
    <message>
      <source>Since</source>
      <translation>いつから</translation>
    </message>
    <message>
      <source>From</source>
      <translation>送り元</translation>
    </message>
    <message>
      <source>Steps</source>
      <translation>工程</translation>
    </message>
    <message>
      <source>Left</source>
      <translation>出荷</translation>
    </message>
    <message>
      <source>Held</source>
      <translation>保有期間</translation>
    </message>
    <message>
      <source>When</source>
      <translation>日時</translation>
    </message>
    <message>
      <source>What</source>
      <translation>内容</translation>
    </message>
    <message>
      <source>Approved.</source>
      <translation>承認しました。</translation>
    </message>
    <message>
      <source>Defective</source>
      <translation>不良数</translation>
    </message>
    <message>
      <source>{jobs} jobs moved · {steps} steps · worked {worked} · good {good} · defective {bad}</source>
      <translation>動いた案件 {jobs} 件 · 工程 {steps} · 作業 {worked} · 良品 {good} · 不良 {bad}</translation>
    </message>
    <message>
      <source>Late (now): {n}</source>
      <translation>納期遅れ (現在): {n} 件</translation>
    </message>
    <message>
      <source>At risk (now): {n}</source>
      <translation>遅れそう (現在): {n} 件</translation>
    </message>
    <message>
      <source>Late: past its due date and not done. At risk: the steps still to do, at every firm, times the days a step typically takes (median of the last 120 days, now {d:.1f} days) come to more than the days left.</source>
      <translation>納期遅れ: 納期を過ぎて未完了。遅れそう: 残りの工程数 (全社分) × 1工程の標準日数 (直近120日の中央値、現在 {d:.1f} 日) が納期までの残り日数を超えるもの。</translation>
    </message>
    <message>
      <source>At the door (now): {n}</source>
      <translation>入荷待ち・着手待ち (現在): {n} 件</translation>
    </message>
    <message>
      <source>Sign-off of {day}</source>
      <translation>{day} の承認</translation>
    </message>
    <message>
      <source>{n} records of this shop on this day</source>
      <translation>この日の当社の記録 {n} 件</translation>
    </message>
    <message>
      <source>On the way</source>
      <translation>輸送中</translation>
    </message>
    <message>
      <source>Received, not started</source>
      <translation>受入済・未着手</translation>
    </message>
    <message>
      <source>corrected</source>
      <translation>訂正あり</translation>
    </message>
    <message>
      <source>Beyond the control limits</source>
      <translation>管理限界の外</translation>
    </message>
    <message>
      <source>9 in a row on one side</source>
      <translation>中心線の片側に9点連続</translation>
    </message>
    <message>
      <source>6 in a row rising or falling</source>
      <translation>6点連続で上昇または下降</translation>
    </message>
    <message>
      <source>14 in a row alternating up and down</source>
      <translation>14点が交互に上下</translation>
    </message>
    <message>
      <source>2 of 3 beyond 2σ on one side</source>
      <translation>3点中2点が片側2σの外</translation>
    </message>
    <message>
      <source>4 of 5 beyond 1σ on one side</source>
      <translation>5点中4点が片側1σの外</translation>
    </message>
    <message>
      <source>15 in a row within 1σ</source>
      <translation>15点連続で1σの内側</translation>
    </message>
    <message>
      <source>8 in a row beyond 1σ</source>
      <translation>8点連続で1σの外 (両側)</translation>
    </message>
    <message>
      <source>Run</source>
      <translation>運転</translation>
    </message>
    <message>
      <source>Stopped</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Alarm</source>
      <translation>アラーム</translation>
    </message>
    <message>
      <source>Power off</source>
      <translation>電源OFF</translation>
    </message>
    <message>
      <source>No signal</source>
      <translation>信号なし</translation>
    </message>
    <message>
      <source>No defects in this period</source>
      <translation>この期間の不良はありません</translation>
    </message>
    <message>
      <source>No measurements in this period</source>
      <translation>この期間の測定はありません</translation>
    </message>
    <message>
      <source>Too few readings for a chart</source>
      <translation>管理図には測定値が足りません</translation>
    </message>
    <message>
      <source>No signs of special causes</source>
      <translation>異常の兆候なし</translation>
    </message>
    <message>
      <source>No machine signals in this period</source>
      <translation>この期間の設備信号はありません</translation>
    </message>
    <message>
      <source>By defect</source>
      <translation>不良内容別</translation>
    </message>
    <message>
      <source>By step</source>
      <translation>工程別</translation>
    </message>
    <message>
      <source>By part</source>
      <translation>品番別</translation>
    </message>
    <message>
      <source>Item</source>
      <translation>項目</translation>
    </message>
    <message>
      <source>Cumulative</source>
      <translation>累積</translation>
    </message>
    <message>
      <source>CL</source>
      <translation>中心線</translation>
    </message>
    <message>
      <source>UCL</source>
      <translation>上方管理限界</translation>
    </message>
    <message>
      <source>LCL</source>
      <translation>下方管理限界</translation>
    </message>
    <message>
      <source>USL</source>
      <translation>規格上限</translation>
    </message>
    <message>
      <source>LSL</source>
      <translation>規格下限</translation>
    </message>
    <message>
      <source>Lot / reading No.</source>
      <translation>ロット・測定 No.</translation>
    </message>
    <message>
      <source>1 point flagged</source>
      <translation>1点に異常の兆候</translation>
    </message>
    <message>
      <source>Utilisation: running ÷ switched on</source>
      <translation>稼働率: 運転 ÷ 電源ON</translation>
    </message>
    <message>
      <source>Equipment</source>
      <translation>設備</translation>
    </message>
    <message>
      <source>Utilisation</source>
      <translation>稼働率</translation>
    </message>
    <message>
      <source>Mean</source>
      <translation>平均</translation>
    </message>
    <message>
      <source>Value</source>
      <translation>測定値</translation>
    </message>
    <message>
      <source>R</source>
      <translation>範囲</translation>
    </message>
    <message>
      <source>MR</source>
      <translation>移動範囲</translation>
    </message>
    <message>
      <source>Defects</source>
      <translation>不良</translation>
    </message>
    <message>
      <source>{0} parts in all</source>
      <translation>計 {0}個</translation>
    </message>
    <message>
      <source>Cp/Cpk: shown from {0} readings ({1} so far)</source>
      <translation>Cp/Cpk は{0}件以上で表示 (現在{1}件)</translation>
    </message>
    <message>
      <source>{0} points flagged</source>
      <translation>{0}点に異常の兆候</translation>
    </message>
    <message>
      <source>No.</source>
      <translation>No.</translation>
    </message>
    <message>
      <source>Machines</source>
      <translation>設備</translation>
    </message>
    <message>
      <source>Cpk lower bound ({0}%): {1}</source>
      <translation>Cpk 下限 (信頼度{0}%): {1}</translation>
    </message>
    <message>
      <source>Late jobs</source>
      <translation>納期遅れ</translation>
    </message>
    <message>
      <source>Out of tolerance</source>
      <translation>不合格</translation>
    </message>
    <message>
      <source>Out of tolerance today</source>
      <translation>今日の不合格</translation>
    </message>
    <message>
      <source>Finished today</source>
      <translation>本日完了</translation>
    </message>
    <message>
      <source>In progress</source>
      <translation>進行中</translation>
    </message>
    <message>
      <source>Waiting</source>
      <translation>待ち</translation>
    </message>
    <message>
      <source>Defects today</source>
      <translation>本日の不良</translation>
    </message>
    <message>
      <source>Late</source>
      <translation>納期遅れ</translation>
    </message>
    <message>
      <source>Review</source>
      <translation>振り返り</translation>
    </message>
    <message>
      <source>Summary</source>
      <translation>概要</translation>
    </message>
    <message>
      <source>Late / at risk</source>
      <translation>遅れ・遅れそう</translation>
    </message>
    <message>
      <source>At the door</source>
      <translation>入荷・着手待ち</translation>
    </message>
    <message>
      <source>Lot history</source>
      <translation>ロット履歴</translation>
    </message>
    <message>
      <source>Sign-off</source>
      <translation>承認</translation>
    </message>
    <message>
      <source>Measurements</source>
      <translation>測定</translation>
    </message>
    <message>
      <source>Steps finished</source>
      <translation>完了工程</translation>
    </message>
    <message>
      <source>Good parts</source>
      <translation>良品数</translation>
    </message>
    <message>
      <source>Working time</source>
      <translation>作業時間</translation>
    </message>
    <message>
      <source>Characteristic</source>
      <translation>特性</translation>
    </message>
    <message>
      <source>Tolerance</source>
      <translation>公差</translation>
    </message>
    <message>
      <source>Day</source>
      <translation>日</translation>
    </message>
    <message>
      <source>Week</source>
      <translation>週</translation>
    </message>
    <message>
      <source>Go to today</source>
      <translation>今日</translation>
    </message>
    <message>
      <source>Terminal</source>
      <translation>端末</translation>
    </message>
    <message>
      <source>typed</source>
      <translation>手入力</translation>
    </message>
    <message>
      <source>Close the dialog first, then scan.</source>
      <translation>ダイアログを閉じてから読み取ってください。</translation>
    </message>
    <message>
      <source>This traveler was signed by a terminal this PC does not know yet. Connect to the hub (or import the lead firm's key) and scan again.</source>
      <translation>この工程表の署名者（端末）がこのPCに登録されていません。ハブに接続するか元請の鍵を取り込んでから、もう一度スキャンしてください。</translation>
    </message>
    <message>
      <source>The signature does not match: this traveler was altered or forged.</source>
      <translation>署名が一致しません。この工程表は改ざんまたは偽造されています。</translation>
    </message>
    <message>
      <source>This traveler was signed with an expired key. Ask the lead firm.</source>
      <translation>有効期限切れの鍵で署名されています。元請に確認してください。</translation>
    </message>
    <message>
      <source>This traveler was signed by a terminal that has been revoked.</source>
      <translation>失効した端末で署名されています。元請に確認してください。</translation>
    </message>
    <message>
      <source>This traveler is from a newer Nakama. Update this terminal.</source>
      <translation>新しいバージョンの Nakama の工程表です。この端末を更新してください。</translation>
    </message>
    <message>
      <source>The code was read incompletely. Scan it again.</source>
      <translation>読み取りが不完全です。もう一度スキャンしてください。</translation>
    </message>
    <message>
      <source>This is not a Nakama traveler.</source>
      <translation>Nakama の工程表ではありません。</translation>
    </message>
    <message>
      <source>This traveler does not carry its job. Ask the lead firm.</source>
      <translation>この工程表には案件情報がありません。元請に確認してください。</translation>
    </message>
    <message>
      <source>Signed in: {0}</source>
      <translation>サインインしました：{0}</translation>
    </message>
    <message>
      <source>The traveler {0} is kept: it is offered when this dialog closes.</source>
      <translation>工程表 {0} は保留しました。このダイアログを閉じると開けます。</translation>
    </message>
    <message>
      <source>New job from the traveler: {0}</source>
      <translation>工程表から新しい案件を登録しました：{0}</translation>
    </message>
    <message>
      <source>Accepted</source>
      <translation>受付</translation>
    </message>
    <message>
      <source>Refused</source>
      <translation>拒否</translation>
    </message>
    <message>
      <source>Not a traveler</source>
      <translation>工程表以外</translation>
    </message>
    <message>
      <source>New operator's name</source>
      <translation>新しい作業者の名前</translation>
    </message>
    <message>
      <source>Add operator</source>
      <translation>作業者を追加</translation>
    </message>
    <message>
      <source>Save PIN</source>
      <translation>暗証番号を保存</translation>
    </message>
    <message>
      <source>Print badge sheet (PDF)</source>
      <translation>バッジを印刷 (PDF)</translation>
    </message>
    <message>
      <source>Owner</source>
      <translation>社長</translation>
    </message>
    <message>
      <source>Machinist</source>
      <translation>作業者</translation>
    </message>
    <message>
      <source>PIN set</source>
      <translation>暗証番号あり</translation>
    </message>
    <message>
      <source>no PIN</source>
      <translation>暗証番号なし</translation>
    </message>
    <message>
      <source>Set PIN</source>
      <translation>暗証番号を設定</translation>
    </message>
    <message>
      <source>Retire</source>
      <translation>退職にする</translation>
    </message>
    <message>
      <source>Type the new operator's name first.</source>
      <translation>先に新しい作業者の名前を入力してください。</translation>
    </message>
    <message>
      <source>A PIN is 4 to 8 digits.</source>
      <translation>暗証番号は 4〜8 けたの数字です。</translation>
    </message>
    <message>
      <source>New PIN for {0} (4 to 8 digits)</source>
      <translation>{0} さんの新しい暗証番号（4〜8 けた）</translation>
    </message>
    <message>
      <source>{0} badges written: {1}</source>
      <translation>バッジ {0} 枚を書き出しました：{1}</translation>
    </message>
    <message>
      <source>Badge</source>
      <translation>バッジ</translation>
    </message>
    <message>
      <source>Added {0} (badge {1}).</source>
      <translation>{0} さんを追加しました（バッジ {1}）。</translation>
    </message>
    <message>
      <source>{0} is retired.</source>
      <translation>{0} さんを退職にしました。</translation>
    </message>
    <message>
      <source>PIN saved for {0}.</source>
      <translation>{0} さんの暗証番号を保存しました。</translation>
    </message>
    <message>
      <source>Auto sign-out</source>
      <translation>自動サインアウト</translation>
    </message>
    <message>
      <source>Own codes</source>
      <translation>不良・中断コード</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>表示言語</translation>
    </message>
    <message>
      <source>Sign-out and undo</source>
      <translation>自動サインアウトと取り消し</translation>
    </message>
    <message>
      <source>Operators and badges</source>
      <translation>作業者とバッジ</translation>
    </message>
    <message>
      <source>Devices</source>
      <translation>機器</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>カメラ</translation>
    </message>
    <message>
      <source>Hub</source>
      <translation>ハブ</translation>
    </message>
    <message>
      <source>Printer</source>
      <translation>プリンター</translation>
    </message>
    <message>
      <source>Defect codes and pause reasons</source>
      <translation>不良コードと中断理由</translation>
    </message>
    <message>
      <source>◀ Back</source>
      <translation>◀ 戻る</translation>
    </message>
    <message>
      <source>Settings (owner)</source>
      <translation>設定（社長）</translation>
    </message>
    <message>
      <source>Settings saved.</source>
      <translation>設定を保存しました。</translation>
    </message>
    <message>
      <source>Add device</source>
      <translation>機器を追加</translation>
    </message>
    <message>
      <source>One-time code</source>
      <translation>登録コード</translation>
    </message>
    <message>
      <source>Join the hub</source>
      <translation>ハブに参加</translation>
    </message>
    <message>
      <source>Code (e.g. CHIP)</source>
      <translation>コード (例 CHIP)</translation>
    </message>
    <message>
      <source>Japanese name (e.g. 欠け)</source>
      <translation>日本語名 (例 欠け)</translation>
    </message>
    <message>
      <source>English name (e.g. Chipped edge)</source>
      <translation>英語名 (例 Chipped edge)</translation>
    </message>
    <message>
      <source>This terminal has not joined a hub.</source>
      <translation>この端末はまだハブに参加していません。</translation>
    </message>
    <message>
      <source>Sign out after this long without a touch, key or scan:</source>
      <translation>操作も読み取りもないまま、この時間がたつとサインアウト：</translation>
    </message>
    <message>
      <source>“Undo this record” stays after each record for:</source>
      <translation>記録のあと「記録を取り消す」ボタンを出しておく時間：</translation>
    </message>
    <message>
      <source>Ports found (tap one to use it):</source>
      <translation>見つかったポート（タップで使う）：</translation>
    </message>
    <message>
      <source>Devices of this terminal (used from the next start):</source>
      <translation>この端末の機器（次の起動から使います）：</translation>
    </message>
    <message>
      <source>Test read</source>
      <translation>試しに読む</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>外す</translation>
    </message>
    <message>
      <source>Type the hub's address and the one-time code, or scan it.</source>
      <translation>ハブのアドレスと登録コードを入力するか、QR を読み取ってください。</translation>
    </message>
    <message>
      <source>Type the hub's address and the code.</source>
      <translation>ハブのアドレスと登録コードを入力してください。</translation>
    </message>
    <message>
      <source>Ask each time</source>
      <translation>毎回選ぶ</translation>
    </message>
    <message>
      <source>PDF only</source>
      <translation>PDF のみ</translation>
    </message>
    <message>
      <source>Add defect code</source>
      <translation>不良コードを追加</translation>
    </message>
    <message>
      <source>Add pause reason</source>
      <translation>中断理由を追加</translation>
    </message>
    <message>
      <source>Pause</source>
      <translation>中断</translation>
    </message>
    <message>
      <source>Give the code a name.</source>
      <translation>コードの名前を入れてください。</translation>
    </message>
    <message>
      <source>Never</source>
      <translation>しない</translation>
    </message>
    <message>
      <source>No serial port found.</source>
      <translation>シリアルポートが見つかりません。</translation>
    </message>
    <message>
      <source>Reading {0} …</source>
      <translation>{0} を読んでいます…</translation>
    </message>
    <message>
      <source>No camera</source>
      <translation>カメラなし</translation>
    </message>
    <message>
      <source>Joined the hub {0}.</source>
      <translation>ハブ {0} に参加しました。</translation>
    </message>
    <message>
      <source>A code is capital letters, digits or _, not a built-in one.</source>
      <translation>コードは英大文字・数字・_ で、標準のコードとは別のものにしてください。</translation>
    </message>
    <message>
      <source>This terminal has joined the hub {0}.</source>
      <translation>この端末はハブ {0} に参加しています。</translation>
    </message>
    <message>
      <source>{0} s</source>
      <translation>{0} 秒</translation>
    </message>
    <message>
      <source>Cannot open the device ({0}).</source>
      <translation>機器を開けません ({0})。</translation>
    </message>
    <message>
      <source>A PDF of every traveler is kept in {0}.</source>
      <translation>工程表の PDF はすべて {0} に保存されます。</translation>
    </message>
    <message>
      <source>{0} min</source>
      <translation>{0} 分</translation>
    </message>
    <message>
      <source>Simulated camera (demo)</source>
      <translation>模擬カメラ (デモ)</translation>
    </message>
    <message>
      <source>Hold any QR code or barcode up to the camera to try it</source>
      <translation>QR コードやバーコードをカメラに向けて試してください</translation>
    </message>
    <message>
      <source>No camera: travelers are read by a scanner.</source>
      <translation>カメラなし: 工程表はスキャナーで読みます。</translation>
    </message>
    <message>
      <source>The hub</source>
      <translation>ハブ</translation>
    </message>
    <message>
      <source>Hold the enrolment QR up to the camera</source>
      <translation>登録用 QR をカメラに向けてください</translation>
    </message>
    <message>
      <source>No camera: scan the enrolment QR with the scanner, or type it.</source>
      <translation>カメラなし: 登録用 QR はスキャナーで読むか、入力してください。</translation>
    </message>
    <message>
      <source>Mitutoyo gauge</source>
      <translation>ミツトヨ測定器</translation>
    </message>
    <message>
      <source>A&amp;&amp;D balance</source>
      <translation>A&amp;&amp;D はかり</translation>
    </message>
    <message>
      <source>Shimadzu balance</source>
      <translation>島津はかり</translation>
    </message>
    <message>
      <source>Sylvac gauge</source>
      <translation>Sylvac 測定器</translation>
    </message>
    <message>
      <source>Code scanner (USB-COM)</source>
      <translation>コードスキャナー (USB-COM)</translation>
    </message>
    <message>
      <source>Look for ports again</source>
      <translation>ポートを探し直す</translation>
    </message>
    <message>
      <source>Use this device</source>
      <translation>この機器を使う</translation>
    </message>
    <message>
      <source>Next ▶</source>
      <translation>次へ ▶</translation>
    </message>
    <message>
      <source>Skip ▶</source>
      <translation>飛ばす ▶</translation>
    </message>
    <message>
      <source>Now tap what the device is.</source>
      <translation>機器の種類をタップしてください。</translation>
    </message>
    <message>
      <source>Finish ▶</source>
      <translation>完了 ▶</translation>
    </message>
    <message>
      <source>Later (offline) ▶</source>
      <translation>後で (オフライン) ▶</translation>
    </message>
    <message>
      <source>Ports found. Plug the device in, then tap its port:</source>
      <translation>見つかったポート。機器をつないでから、そのポートをタップ:</translation>
    </message>
    <message>
      <source>What is on this port? (a test read starts)</source>
      <translation>このポートの機器は? (試しに読み取ります)</translation>
    </message>
    <message>
      <source>Tap a port first.</source>
      <translation>先にポートをタップしてください。</translation>
    </message>
    <message>
      <source>Tap a port and what it is first.</source>
      <translation>先にポートと機器の種類をタップしてください。</translation>
    </message>
    <message>
      <source>No device kept yet (a device can be added later in the settings).</source>
      <translation>まだ機器はありません (あとで設定からも追加できます)。</translation>
    </message>
    <message>
      <source>Which camera reads the travelers? Tap one and look:</source>
      <translation>工程表を読むカメラは? タップして映像を確かめてください:</translation>
    </message>
    <message>
      <source>Hold the enrolment QR from the consortium office up to the camera, or scan it. Or type the hub's address and the code. No hub yet? Go on offline and join later in the settings.</source>
      <translation>事務局からの登録用 QR をカメラにかざすか、スキャナーで読んでください。ハブの URL とコードを入力しても登録できます。ハブがまだなら、オフラインで進み、あとで設定から登録できます。</translation>
    </message>
    <message>
      <source>USB camera {0}</source>
      <translation>USB カメラ {0}</translation>
    </message>
    <message>
      <source>Device kept: {0}</source>
      <translation>機器を登録しました: {0}</translation>
    </message>
    <message>
      <source>Code read: {0}</source>
      <translation>コードを読みました: {0}</translation>
    </message>
    <message>
      <source>Joining {0} …</source>
      <translation>{0} に登録しています…</translation>
    </message>
    <message>
      <source>Joined the hub {0} as firm {1}.</source>
      <translation>ハブ {0} に事業者 {1} として登録しました。</translation>
    </message>
    <message>
      <source>Devices of this terminal:</source>
      <translation>この端末の機器:</translation>
    </message>
    <message>
      <source>The code is for another firm than {0}. Ask the office for a code for {0}.</source>
      <translation>このコードは {0} 以外の事業者のものです。事務局に {0} の登録コードを依頼してください。</translation>
    </message>
    <message>
      <source>The firm</source>
      <translation>会社</translation>
    </message>
    <message>
      <source>The owner and operators</source>
      <translation>社長と作業者</translation>
    </message>
    <message>
      <source>e.g. 山田精機</source>
      <translation>例: 山田精機</translation>
    </message>
    <message>
      <source>e.g. 山田 太郎</source>
      <translation>例: 山田 太郎</translation>
    </message>
    <message>
      <source>Scan the person's card, or type its number.</source>
      <translation>本人のカードをスキャンするか、番号を入力してください。</translation>
    </message>
    <message>
      <source>The firm's name, as customers and partners know it:</source>
      <translation>会社名 (取引先に通じる名前):</translation>
    </message>
    <message>
      <source>The firm code the consortium office gave you (on the enrolment sheet, e.g. F012). Every record of this terminal carries it.</source>
      <translation>事務局から受け取った事業者コード (登録用紙に記載。例 F012)。この端末の記録すべてに付きます。</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>名前</translation>
    </message>
    <message>
      <source>Registered:</source>
      <translation>登録済み:</translation>
    </message>
    <message>
      <source>First the owner: the owner's PIN opens the settings and leaves the kiosk.</source>
      <translation>まず社長を登録します。社長の暗証番号で設定を開き、キオスクを終了します。</translation>
    </message>
    <message>
      <source>The owner's PIN (4 to 8 digits)</source>
      <translation>社長の暗証番号 (4〜8 桁)</translation>
    </message>
    <message>
      <source>PIN again ▶</source>
      <translation>もう一度 ▶</translation>
    </message>
    <message>
      <source>Now the operators, one by one (add as many as work here).</source>
      <translation>次に作業者を一人ずつ (働く人数分) 追加します。</translation>
    </message>
    <message>
      <source>PIN (optional: 4 to 8 digits, or none)</source>
      <translation>暗証番号 (任意: 4〜8 桁、なしでも可)</translation>
    </message>
    <message>
      <source>Nobody yet.</source>
      <translation>まだいません。</translation>
    </message>
    <message>
      <source>The same PIN again</source>
      <translation>同じ暗証番号をもう一度</translation>
    </message>
    <message>
      <source>Register the owner</source>
      <translation>社長を登録</translation>
    </message>
    <message>
      <source>Type the same PIN again to be sure of it.</source>
      <translation>確認のため、同じ暗証番号をもう一度入力してください。</translation>
    </message>
    <message>
      <source>Badge {0} read.</source>
      <translation>バッジ {0} を読みました。</translation>
    </message>
    <message>
      <source>This page does not take a scan.</source>
      <translation>この画面ではスキャンを使いません。</translation>
    </message>
    <message>
      <source>First set-up</source>
      <translation>はじめの設定</translation>
    </message>
    <message>
      <source>Step {0} of {1}</source>
      <translation>{0} / {1}</translation>
    </message>
    <message>
      <source>That is not a badge. Scan your badge, or tap your name.</source>
      <translation>社員証ではありません。社員証をスキャンするか、名前をタップしてください。</translation>
    </message>
    <message>
      <source>Who is working? Tap your name, or scan your badge.</source>
      <translation>作業者を選んでください（名前をタップするか、社員証をスキャン）</translation>
    </message>
    <message>
      <source>No operators are registered on this terminal. Ask the owner.</source>
      <translation>この端末には作業者が登録されていません。社長に登録を依頼してください。</translation>
    </message>
    <message>
      <source>Sign out {0}</source>
      <translation>{0} をサインアウト</translation>
    </message>
    <message>
      <source>gauge</source>
      <translation>ゲージ</translation>
    </message>
    <message>
      <source>Undone</source>
      <translation>取り消し済み</translation>
    </message>
    <message>
      <source>Running</source>
      <translation>作業中</translation>
    </message>
    <message>
      <source>Done</source>
      <translation>完了</translation>
    </message>
    <message>
      <source>Not started</source>
      <translation>未着手</translation>
    </message>
    <message>
      <source>Receive</source>
      <translation>受入</translation>
    </message>
    <message>
      <source>Start</source>
      <translation>着手</translation>
    </message>
    <message>
      <source>Resume</source>
      <translation>再開</translation>
    </message>
    <message>
      <source>Finish</source>
      <translation>完了</translation>
    </message>
    <message>
      <source>Measure</source>
      <translation>測定</translation>
    </message>
    <message>
      <source>Hand off</source>
      <translation>引渡し</translation>
    </message>
    <message>
      <source>Outer diameter</source>
      <translation>外径</translation>
    </message>
    <message>
      <source>Inner diameter</source>
      <translation>内径</translation>
    </message>
    <message>
      <source>Length</source>
      <translation>全長</translation>
    </message>
    <message>
      <source>Weight</source>
      <translation>重量</translation>
    </message>
    <message>
      <source>Within tolerance</source>
      <translation>合格（公差内）</translation>
    </message>
    <message>
      <source>OUT OF TOLERANCE</source>
      <translation>不合格（公差外）</translation>
    </message>
    <message>
      <source>Job created</source>
      <translation>案件登録</translation>
    </message>
    <message>
      <source>Lot split</source>
      <translation>ロット分割</translation>
    </message>
    <message>
      <source>Machine</source>
      <translation>機械</translation>
    </message>
    <message>
      <source>Traveler issued</source>
      <translation>工程表発行</translation>
    </message>
    <message>
      <source>Corrected</source>
      <translation>訂正</translation>
    </message>
    <message>
      <source>Good {0} / Defect {1} / Scrap {2}</source>
      <translation>良品 {0} / 不良 {1} / 廃棄 {2}</translation>
    </message>
    <message>
      <source>{0} rev {1}  ({2})</source>
      <translation>{0}　改訂 {1}（{2}）</translation>
    </message>
    <message>
      <source>(skipping steps {0})</source>
      <translation>（工程 {0} を飛ばして受入）</translation>
    </message>
    <message>
      <source>photos: {0}</source>
      <translation>写真 {0} 枚</translation>
    </message>
    <message>
      <source>OK</source>
      <translation>確定</translation>
    </message>
    <message>
      <source>Total {0} of {1}</source>
      <translation>合計 {0} / {1}</translation>
    </message>
    <message>
      <source>Fit</source>
      <translation>全体</translation>
    </message>
    <message>
      <source>◀ Page</source>
      <translation>◀ 前の頁</translation>
    </message>
    <message>
      <source>Page ▶</source>
      <translation>次の頁 ▶</translation>
    </message>
    <message>
      <source>Nothing to show</source>
      <translation>表示するものがありません</translation>
    </message>
    <message>
      <source>Page {0} of {1}</source>
      <translation>{1} 頁中 {0} 頁</translation>
    </message>
  </context>
</TS>
