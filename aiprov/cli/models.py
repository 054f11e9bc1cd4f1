"""``aiprov register model`` and ``aiprov lineage model``."""

from __future__ import annotations

import click

from .datasets import render_registration
from .engine import engine_options
from .groups import lineage_group, register_group
from .options import Env, command_options, examples, positive_int
from .output import console, emit_json, hashing_progress


@examples(
    "aiprov register model ./model --dataset 3 --dataset 5 --metrics metrics.json",
    "aiprov register model ./finetuned --dataset 3 --base-model 7 --training-config train.yaml",
)
@register_group.command("model")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--dataset", "datasets", multiple=True, required=True, callback=positive_int, metavar="ID",
              help="Id of a dataset the model was trained on (repeat for several).")
@click.option("--base-model", "base_models", multiple=True, callback=positive_int, metavar="ID",
              help="Id of a model this one was fine-tuned or derived from (repeatable).")
@click.option("--name", help="Human name of the model (hashed into the metadata).")
@click.option("--description", help="One-line description.")
@click.option("--license", "license_", metavar="SPDX", help="License of the weights.")
@click.option("--training-config", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Training config (JSON is embedded; other text verbatim; big files by digest).")
@click.option("--metrics", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Evaluation metrics (JSON).")
@click.option("--code-dir", type=click.Path(file_okay=False, path_type=str), metavar="DIR",
              help="Git work tree whose commit is recorded [default: the current directory].")
@click.option("--no-environment", is_flag=True, help="Do not record git state, Python and ML package versions.")
@click.option("--metadata-uri", default="", metavar="URI", help="Where the metadata document is published.")
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=str), help="Write the receipt here.")
@click.option("--follow-dir-symlinks", is_flag=True, help="Follow symlinks to directories.")
@engine_options
@command_options()
def register_model(env: Env, path, datasets, base_models, name, description, license_, training_config, metrics,
                   code_dir, no_environment, metadata_uri, receipt, follow_dir_symlinks, engine, scheduler) -> int:
    """Hash the model at PATH and anchor it with its lineage in ModelRegistry.

    The roots of the --dataset versions are fixed on-chain at this moment, so a
    later dataset version can never rewrite what the model was trained on.
    Registering the same bytes again from the same account sends nothing.
    """
    with hashing_progress(not env.json) as progress:
        result = env.client().register_model(
            path, datasets=datasets, base_models=base_models, name=name, description=description,
            license=license_, training_config=training_config, metrics=metrics, code_dir=code_dir,
            capture_environment=not no_environment, metadata_uri=metadata_uri, receipt=receipt,
            follow_dir_symlinks=follow_dir_symlinks, progress=progress, engine=engine, scheduler=scheduler,
        )
    return render_registration(env, result)


@examples("aiprov lineage model 7", "aiprov lineage model 7 --json")
@lineage_group.command("model")
@click.argument("id_", metavar="ID", callback=positive_int)
@command_options(signs=False)
def lineage_model(env: Env, id_) -> int:
    """Show model ID's lineage: base models and the dataset versions (roots) behind it."""
    result = env.client().lineage(id_)
    if env.json:
        emit_json(result.to_json())
        return 0
    from rich.tree import Tree

    nodes = {n["key"]: n for n in result.nodes}
    children: dict[str, list[dict]] = {}
    for e in result.edges:
        children.setdefault(e["from"], []).append(e)

    def label(node: dict, edge: dict | None) -> str:
        name = f" [bold]{node['name']}[/bold]" if node.get("name") else ""
        status = "" if node["status"] == "active" else f" [{'red' if node['status'] == 'revoked' else 'yellow'}]{node['status']}[/]"
        rel = f"[dim]{edge['relation'].replace('_', ' ')}[/dim] " if edge else ""
        root = edge.get("root") if edge and edge.get("root") else node["root"]
        check = ""
        if node["kind"] == "model" and not node.get("lineage_verified", True):
            check = " [red]lineage does not match its on-chain commitment[/red]"
        return f"{rel}{node['kind']} {node['id']}{name}{status}  [dim]{root}[/dim]{check}"

    def grow(tree, key: str, seen: set[str]) -> None:
        for edge in children.get(key, []):
            child = nodes[edge["to"]]
            branch = tree.add(label(child, edge))
            if edge["to"] not in seen:
                grow(branch, edge["to"], seen | {edge["to"]})

    tree = Tree(label(nodes[result.root], None))
    grow(tree, result.root, {result.root})
    out = console()
    out.print(tree)
    for c in result.consent:
        if c["consent_revoked_after"] or c["erased_after"]:
            out.print(f"[yellow]dataset {c['dataset_id']}: {c['consent_revoked_after']} record(s) consent-revoked, "
                      f"{c['erased_after']} erased since model {result.model} was registered[/yellow]")
    if [k for k in result.revoked if k != result.root]:
        out.print(f"[red]revoked upstream:[/red] {', '.join(k for k in result.revoked if k != result.root)}")
    return 0
