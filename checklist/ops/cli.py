"""Commands: flask --app app seed-demo | qr-sheet | export-table | coverage | draw-spot-check | export-documents |
backup | restore."""

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from checklist import db
from checklist.documents import build, word
from checklist.models import County, Inspection, InspectionStatus
from checklist.read.enterprises import county_enterprises
from checklist.sheets.labels import label_sheet_pdf


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(qr_sheet_command)
    app.cli.add_command(export_table_command)
    app.cli.add_command(coverage_command)
    app.cli.add_command(draw_spot_check_command)
    app.cli.add_command(export_documents_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (but list the logins) when the database has data.")
def seed_demo_command(if_empty: bool) -> None:
    """Fill an empty database with Jinzhong's demo data and print one login per role."""
    from checklist.ops.demo import DEMO_LOGINS, seed_demo

    if not db.is_empty(current_app):
        if not if_empty:
            raise click.ClickException("the database is not empty; seed-demo only fills an empty one")
        logins = DEMO_LOGINS
    else:
        session = current_app.extensions["sessionmaker"]()
        with session.begin():
            logins = seed_demo(session, current_app.extensions["catalogue"],
                               upload_dir=current_app.config["UPLOAD_DIR"])
    click.echo("Demo logins (user name / password):")
    for login in logins:
        click.echo(f"  {login.role:<13} {login.username:<12} {login.password:<10} {login.description}")


@click.command("qr-sheet")
@with_appcontext
@click.option("--county", "county_name", required=True, help="County name, e.g. 榆次区")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def qr_sheet_command(county_name: str, output: Path) -> None:
    """Write the printable A4 PDF of QR labels for a county's enterprises."""
    session = current_app.extensions["sessionmaker"]()
    with session:
        county = county_named(session, county_name)
        enterprises = county_enterprises(session, county)
        output.write_bytes(label_sheet_pdf(enterprises, current_app.config["BASE_URL"], county.name))
    click.echo(f"{len(enterprises)} labels written to {output}")


DAY = click.DateTime(formats=["%Y-%m-%d"])


def county_named(session, name: str) -> County:
    """The county of that name, or the command stops saying there is none."""
    county = session.scalars(select(County).where(County.name == name)).first()
    if county is None:
        raise click.ClickException(f"no county named {name}")
    return county


@click.command("export-table")
@with_appcontext
@click.option("--county", "county_name", help="County name, e.g. 榆次区; or --city.")
@click.option("--city", is_flag=True, help="The city's table: one row per county and per city department.")
@click.option("--from", "start", type=DAY, required=True, help="First day, YYYY-MM-DD (China Standard Time).")
@click.option("--to", "end", type=DAY, required=True, help="Last day, YYYY-MM-DD, included.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_table_command(county_name: str | None, city: bool, start, end, output: Path) -> None:
    """Write the statistics table (统计表) of a county or of the city for a period as xlsx."""
    from checklist.read.statistics import city_table, county_table
    from checklist.sheets.exports import statistics_table_xlsx

    if bool(county_name) == city:
        raise click.UsageError("give either --county NAME or --city")
    start, end = start.date(), end.date()
    if start > end:
        raise click.BadParameter(f"{start} is after --to {end}", param_hint="'--from'")
    session = current_app.extensions["sessionmaker"]()
    with session:
        if city:
            table = city_table(session, start, end)
        else:
            county = county_named(session, county_name)
            table = county_table(session, county, start, end)
        output.write_bytes(statistics_table_xlsx(table))
    click.echo(f"{table.title}, {start} to {end}: {len(table.rows)} rows written to {output}")


@click.command("coverage")
@with_appcontext
@click.option("--county", "county_name", help="County name, e.g. 榆次区; or --city.")
@click.option("--city", is_flag=True, help="Every county, the lowest coverage first.")
@click.option("--from", "start", type=DAY, help="First day, YYYY-MM-DD; the running campaign's first by default.")
@click.option("--to", "end", type=DAY, help="Last day, YYYY-MM-DD, included; today by default.")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "xlsx"]), default="table")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Required for xlsx.")
def coverage_command(county_name: str | None, city: bool, start, end, output_format: str, output: Path | None):
    """Print or write the coverage (检查全覆盖) of a county or of the city: enterprises inspected and not."""
    from checklist.clock import local_today
    from checklist.read import coverage
    from checklist.rules.inspections import InspectionError, active_campaign
    from checklist.sheets.exports import coverage_xlsx

    if bool(county_name) == city:
        raise click.UsageError("give either --county NAME or --city")
    if output_format == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs -o FILE")
    session = current_app.extensions["sessionmaker"]()
    with session:
        try:
            campaign = active_campaign(session)
        except InspectionError as error:
            raise click.ClickException(str(error.message)) from None
        start = start.date() if start else min(campaign.starts_on, local_today())
        end = end.date() if end else local_today()
        if start > end:
            raise click.BadParameter(f"{start} is after --to {end}", param_hint="'--from'")
        county = None
        if county_name:
            county = county_named(session, county_name)
        period = coverage.Period(campaign, start, end)
        counties = coverage.coverage(session, None, period, county.id if county else None)
        counties = counties if county else coverage.ranked(counties)
        if output_format == "xlsx":
            output.write_bytes(coverage_xlsx(counties, period))
            click.echo(f"coverage of {county_name or 'the city'}, {start} to {end}, written to {output}")
            return
        rows = [(each.county.name, sector.code, figures) for each in counties
                for sector, figures in coverage.by_sector(each)]
        total = coverage.city_total(counties)
        if output_format == "json":
            click.echo(json.dumps({
                "scope": county_name or "city", "from": start.isoformat(), "to": end.isoformat(),
                "rows": [{"county": name, "sector": code, **figures_json(figures)} for name, code, figures in rows],
                "total": figures_json(total),
            }, ensure_ascii=False))
            return
        click.echo(f"{'county':<8} {'sector':<20} {'roster':>7} {'inspected':>9} {'not':>7} {'rate':>7}")
        for name, code, figures in [*rows, ("total", "", total)]:
            rate = f"{figures.rate * 100:.1f}%" if figures.rate is not None else "-"
            click.echo(f"{name:<8} {code:<20} {figures.roster:>7} {figures.inspected:>9} "
                       f"{figures.not_inspected:>7} {rate:>7}")


def figures_json(figures) -> dict:
    return {"roster": figures.roster, "inspected": figures.inspected, "not_inspected": figures.not_inspected,
            "self_checked": figures.self_checked, "by_county": figures.by_county, "by_city": figures.by_city}


@click.command("draw-spot-check")
@with_appcontext
@click.option("--county", "county_name", help="Draw from this county's enterprises only, e.g. 榆次区.")
@click.option("--sector", "sector_code", help="Draw from this sector's enterprises only, e.g. construction.")
@click.option("--never-inspected", is_flag=True, help="Only enterprises nobody inspected in the campaign.")
@click.option("--open-major", is_flag=True, help="Only enterprises with a major hazard not closed.")
@click.option("--overdue", is_flag=True, help="Only enterprises with an overdue hazard.")
@click.option("--with-counties", is_flag=True, help="Draw the counties' inspectors too (never the enterprise's own).")
@click.option("--enterprises", type=int, required=True, help="How many enterprises to draw.")
@click.option("--inspectors-per", type=int, required=True, help="How many inspectors for each (at least 2).")
@click.option("--seed", type=int, required=True, help="The seed; the same seed on the same rosters draws the same.")
@click.option("--mode", type=click.Choice(["city_spot", "surprise"]), default="city_spot")
@click.option("--dry-run", is_flag=True, help="Show the draw without keeping it.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table")
def draw_spot_check_command(county_name, sector_code, never_inspected, open_major, overdue, with_counties,
                            enterprises, inspectors_per, seed, mode, dry_run, output_format) -> None:
    """Draw the city's random spot checks (双随机) and keep the plan, or only show it with --dry-run."""
    from checklist.draw import DrawError
    from checklist.models import InspectionMode, Sector
    from checklist.read.spot_checks import DrawFilter
    from checklist.rules.inspections import InspectionError, active_campaign
    from checklist.rules.spot_checks import draw_from_rosters, keep_plan

    session = current_app.extensions["sessionmaker"]()
    with session:
        county = sector = None
        if county_name:
            county = county_named(session, county_name)
        if sector_code:
            sector = session.scalars(select(Sector).where(Sector.code == sector_code)).first()
            if sector is None:
                raise click.ClickException(f"no sector with the code {sector_code}")
        chosen = DrawFilter(county_id=county.id if county else None, sector_id=sector.id if sector else None,
                            never_inspected=never_inspected, open_major=open_major, overdue=overdue,
                            with_counties=with_counties)
        try:
            campaign = active_campaign(session)
            drawn = draw_from_rosters(session, campaign, chosen, enterprises=enterprises, per_task=inspectors_per,
                                      seed=seed)
            if not dry_run:
                plan = keep_plan(session, None, campaign, chosen, drawn, seed=seed, per_task=inspectors_per,
                                 mode=InspectionMode(mode))
                session.commit()
        except (DrawError, InspectionError) as error:
            raise click.ClickException(str(error.message)) from None
        rows = [_task_json(task) for task in drawn.tasks]
        if output_format == "json":
            click.echo(json.dumps({"seed": seed, "tasks": rows}, ensure_ascii=False))
            return
        if not dry_run:
            click.echo(f"plan {plan.id} kept: seed {seed}, {len(rows)} enterprises")
        for number, row in enumerate(rows, start=1):
            people = "、".join(f"{person['name']}（{person['county'] or '市级'}）" for person in row["inspectors"])
            click.echo(f"{number:>3} {row['enterprise']['name']}（{row['enterprise']['county']}）: {people}")


def _task_json(task) -> dict:
    """A drawn task (checklist.draw.Task) as the command's JSON shows it."""
    enterprise = task.enterprise
    return {
        "enterprise": {"id": enterprise.id, "name": enterprise.name, "county": enterprise.county},
        "inspectors": [{"id": person.id, "name": person.name, "county": person.county} for person in task.inspectors],
    }


def size_text(count: float) -> str:
    if count < 1024:
        return f"{count} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        count /= 1024
        if count < 1024 or unit == "GiB":
            break
    return f"{count:.1f} {unit}"


@click.command("export-documents")
@with_appcontext
@click.option("--inspection", "inspection_id", type=int, required=True, help="The inspection's number (its id).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder to write to; made if missing.")
def export_documents_command(inspection_id: int, output: Path) -> None:
    """Write each document of a submitted inspection as a Word file, in 立卷 order, its Chinese title in the name."""
    session = current_app.extensions["read_sessionmaker"]()
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or inspection.status is not InspectionStatus.SUBMITTED or inspection.is_oversight:
        raise click.ClickException(f"no submitted inspection of an enterprise has the number {inspection_id}")
    output.mkdir(parents=True, exist_ok=True)
    for number, paper in enumerate(build.case_file(inspection), 1):
        path = output / f"{number:02d} {word.file_name(paper)}"
        path.write_bytes(word.docx_bytes(paper))
        click.echo(path)


@click.command("backup")
@with_appcontext
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The archive to write (.tar.gz); given a folder, a name with the date and time inside it.")
def backup_command(output: Path) -> None:
    """Write the database and the photos into one archive, while the app goes on serving."""
    from checklist.ops.backup import BackupError, create_backup

    try:
        result = create_backup(current_app.config["DATABASE_URL"], current_app.config["UPLOAD_DIR"], output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = result.manifest.data
    database, photos = manifest["database"], manifest["photos"]
    click.echo(f"backup written to {result.path} ({size_text(result.archive_bytes)})")
    click.echo(f"  database: {database['kind']}, migration {database['alembic_revision']}, "
               f"{size_text(database['bytes'])}")
    click.echo(f"  photos: {photos['rows']} photo rows, {photos['files']} files, {size_text(photos['bytes'])}")
    for name in photos["missing_files"]:
        click.echo(f"  warning: a photo row points at {name}, which is not in the photo store", err=True)


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(archive: Path, force: bool) -> None:
    """Restore a backup into DATABASE_URL and UPLOAD_DIR, then migrate it. Stop the app servers first."""
    from checklist.ops.backup import BackupError, restore_backup

    current_app.extensions["engine"].dispose()
    try:
        result = restore_backup(
            current_app.config["DATABASE_URL"], current_app.config["UPLOAD_DIR"], archive, force=force, log=click.echo,
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        current_app.extensions["engine"].dispose()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"restored {archive}: database at migration {result.revision_after}, {result.photo_files} photo files")
