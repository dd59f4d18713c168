from flask.cli import AppGroup

referrals = AppGroup("referrals", help="The KUR referral network.")
