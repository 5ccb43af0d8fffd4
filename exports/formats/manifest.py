import json

from exports.files import WrittenFile
from exports.formats import Facts, Format, write_file


class Manifest(Format):
    """manifest.json: what the release is and every other file's size and sha256."""

    name = "manifest.json"
    about = "sizes and sha256 of every file."

    def finish(self, facts: Facts) -> list[WrittenFile]:
        release, previous = facts.release, facts.previous
        manifest = {
            "dataset": release.dataset.slug,
            "version": f"v{facts.version}",
            "built_at": facts.built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "filters": release.filters,
            "counts": {"total": facts.total, **facts.counts},
            "files": [
                {"name": f.name, "bytes": f.bytes, "sha256": f.sha256}
                for f in sorted(facts.files, key=lambda f: f.name)
            ],
            "previous_version": f"v{previous.version}" if previous else None,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        return [write_file(self.directory, self.name, data.encode("utf-8"))]
