; Inno Setup script of the Nakama terminal for Windows (x64), from the one-folder bundle
; that packaging/nakama.spec builds on Windows (dist\nakama\). Compile with
;   iscc packaging\windows\nakama.iss
; Per-machine install into Program Files, a Start-menu entry, an optional task to start
; Nakama full-screen (kiosk) at log-on. The shop's data (the database, backups, logs in
; %LOCALAPPDATA%\Nakama) is never touched by install, update or uninstall.
; NOT built or tried here: see README.md, "Install and operate" / Windows.

#define AppName "Nakama"
#define AppVersion "0.1.0"
#define AppExe "nakama.exe"

[Setup]
AppId={{6B0E4C1D-6A6B-4E0B-9C1E-3F2A5D7C9B10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Nakama consortium
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=nakama-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; An update replaces the program only; it closes a running Nakama first.
CloseApplications=yes
RestartApplications=no
UninstallDisplayIcon={app}\{#AppExe}

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
japanese.KioskTask=ログオン時に全画面 (キオスク) で起動する
english.KioskTask=Start full-screen (kiosk) when this user logs on
japanese.Startup=起動:
english.Startup=Start:

[Tasks]
Name: "kiosk"; Description: "{cm:KioskTask}"; GroupDescription: "{cm:Startup}"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\..\dist\nakama\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "run --no-demo"
Name: "{group}\{#AppName} (kiosk)"; Filename: "{app}\{#AppExe}"; Parameters: "run --kiosk --no-demo"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "run --no-demo"; Tasks: desktopicon
; All users' Startup folder: whoever logs on to the shop PC gets the kiosk.
Name: "{commonstartup}\{#AppName} kiosk"; Filename: "{app}\{#AppExe}"; Parameters: "run --kiosk --no-demo"; Tasks: kiosk

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "run --no-demo"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put there; %LOCALAPPDATA%\Nakama (the shop's data) stays.
Type: filesandordirs; Name: "{app}\_internal"
