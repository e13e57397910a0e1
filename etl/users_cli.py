"""`python -m etl user …` and `python -m etl audit`: accounts and the audit trail from the server's shell.

Whoever runs these has the database file in hand, so they act as an administrator;
the trail records them as their operating-system user (or --by NAME). Passwords
are asked twice without echo, or read from standard input with --password-stdin
(scripts, CI); never from an option, where the shell history would keep them.

Example:
    python -m etl user add 王主任 --role 管理
    python -m etl user add 李红 --role 填报 --region 城关街道
    echo 'pass-word-1' | python -m etl user passwd 李红 --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from etl import accounts, audit, db, permissions


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    roles = "、".join(f"{r.zh}（{r.key}）" for r in permissions.rules().roles.values())
    a = sub.add_parser("add", help="新建账号（第一个账号须为管理员）", description="新建账号")
    a.add_argument("name", metavar="NAME", help="用户名（登录名，也是操作记录中的署名）")
    a.add_argument("--role", required=True, help=f"角色：{roles}")
    a.add_argument("--region", action="append", default=[], metavar="NAME",
                   help="地区范围（填报、审核须给出，可重复；含下属单位）")
    a.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    s = sub.add_parser("set", help="修改账号的角色、地区范围或是否允许登录", description="修改账号")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--role", default=None, help=f"新角色：{roles}")
    s.add_argument("--region", action="append", default=None, metavar="NAME", help="新的地区范围（可重复）")
    s.add_argument("--disable", action="store_true", help="停用（不能再登录）")
    s.add_argument("--enable", action="store_true", help="重新启用")
    w = sub.add_parser("passwd", help="重设密码（同时解除锁定）", description="重设密码")
    w.add_argument("name", metavar="NAME")
    w.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    u = sub.add_parser("unlock", help="解除因输错密码造成的锁定", description="解除锁定")
    u.add_argument("name", metavar="NAME")
    li = sub.add_parser("list", help="列出所有账号", description="列出所有账号")
    li.add_argument("--json", action="store_true")
    for x in (a, s, w, u):
        x.add_argument("--by", default=None, metavar="NAME", help="操作记录中的署名（默认：操作系统用户名）")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise accounts.AccountError("没有可输入密码的终端：请加 --password-stdin，从标准输入提供密码。",
                                    code="no_tty")
    first = getpass.getpass(f"{args.name} 的密码（至少 {accounts.PASSWORD_MIN} 个字符）：")
    if getpass.getpass("再输入一次：") != first:
        raise accounts.AccountError("两次输入的密码不一致，未作改动。", item=args.name, code="mismatch")
    return first


def run(args: argparse.Namespace) -> int:
    from etl.__main__ import EXIT_OK, settings

    cfg = settings(args)
    actor = audit.Actor.cli(getattr(args, "by", None))
    cmd = args.user_command
    if cmd == "list":
        with db.connect(cfg.db, read_only=True, wait=cfg.lock_wait) as con:
            people = accounts.users(con)
        if args.json:
            print(json.dumps(people, ensure_ascii=False, indent=2, default=str))
        else:
            for u in people:
                state = "" if u["active"] else "（已停用）"
                print(f"{u['name']}\t{permissions.role_zh(u['role'])}\t{'、'.join(u['regions']) or '—'}{state}")
            if not people:
                print("还没有账号。示例：python -m etl user add 王主任 --role 管理")
        return EXIT_OK
    password = _password(args) if cmd in ("add", "passwd") else ""
    with db.transaction(cfg.db, wait=cfg.lock_wait) as con:
        if cmd == "add":
            accounts.add_user(con, actor, args.name, args.role, password, args.region)
            done = f"已建立账号“{args.name}”（{permissions.role_zh(permissions.role_key(args.role))}）。"
        elif cmd == "set":
            active = False if args.disable else True if args.enable else None
            accounts.update_user(con, actor, args.name, role=args.role, regions=args.region, active=active)
            done = f"已修改账号“{args.name}”。"
        elif cmd == "passwd":
            accounts.set_password(con, actor, args.name, password)
            done = f"已为“{args.name}”设置新密码。"
        else:
            accounts.unlock(con, actor, args.name)
            done = f"已解锁账号“{args.name}”。"
    print(done)
    return EXIT_OK


def audit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=50, help="最多列出多少条（最新在前）")
    p.add_argument("--user", default=None, help="只看这个人的操作")
    p.add_argument("--action", default=None, choices=list(audit.ACTION_ZH), help="只看这种操作")
    p.add_argument("--json", action="store_true")


def audit_run(args: argparse.Namespace) -> int:
    from etl.__main__ import EXIT_OK, settings

    cfg = settings(args)
    with db.connect(cfg.db, read_only=True, wait=cfg.lock_wait) as con:
        rows = audit.log(con, limit=args.limit, user=args.user, action=args.action)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    for r in rows:
        print(f"{r['done_at']:%Y-%m-%d %H:%M:%S}  {r['user_name']}（{audit.VIA_ZH.get(r['via'], r['via'])}）  "
              f"{audit.ACTION_ZH.get(r['action'], r['action'])}  {r['summary']}")
    return EXIT_OK
