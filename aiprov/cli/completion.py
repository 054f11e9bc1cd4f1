"""``aiprov completion bash|zsh|fish``: the shell's tab-completion script, from Click."""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the tab-completion script for SHELL.

    \b
    Examples:
      eval "$(aiprov completion bash)"                    # in ~/.bashrc
      eval "$(aiprov completion zsh)"                     # in ~/.zshrc
      aiprov completion fish > ~/.config/fish/completions/aiprov.fish
    """
    from click.shell_completion import get_completion_class

    root = click.get_current_context().find_root().command
    cls = get_completion_class(shell)
    click.echo(cls(root, {}, "aiprov", "_AIPROV_COMPLETE").source())


def register(cli: click.Group) -> None:
    cli.add_command(completion_command)
