"""``/admin/staff``: administrators find staff records and give them their Social Work England
number, which the workforce census matches workers by."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from audit_service.domain.summaries.bands import EMPLOYMENT_BANDS
from audit_service.domain.vocabulary import Role, StaffRole
from audit_service.services.accounts import staff_records
from audit_service.services.errors import Invalid
from audit_service.web.access import require_roles
from audit_service.web.admin_imports import page_number, page_numbers
from audit_service.web.summary_filters import show_refusal

bp = Blueprint("admin_staff", __name__, url_prefix="/admin/staff")

PER_PAGE = 50


class NumberForm(FlaskForm):
    swe_number = StringField()


def _labels() -> dict:
    return {"roles": {r.value: r.value.replace("_", " ").capitalize() for r in StaffRole},
            "employment": {band.id: band.label for band in EMPLOYMENT_BANDS}}


@bp.get("")
@require_roles(Role.ADMIN)
def index():
    search = (request.args.get("q") or "").strip()[:150]
    page = staff_records.staff_page(search, page_number(), PER_PAGE)
    return render_template("admin/staff.html", page=page, search=search,
                           page_numbers=page_numbers(page.number, page.pages), **_labels())


@bp.route("/<int:staff_id>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def show(staff_id: int):
    record = staff_records.staff_record(staff_id)
    form = NumberForm(swe_number=record.swe_number or "")
    status = 200
    if form.validate_on_submit():
        try:
            staff_records.set_swe_number(current_user.record, staff_id, form.swe_number.data,
                                         remote_addr=request.remote_addr)
        except Invalid as exc:
            show_refusal(form, exc)
            status = 400
        else:
            flash(f"{record.name}'s Social Work England number has been saved", "success")
            return redirect(url_for("admin_staff.show", staff_id=staff_id))
    elif form.errors:
        status = 400
    return render_template("admin/staff_record.html", record=record, form=form,
                           **_labels()), status
