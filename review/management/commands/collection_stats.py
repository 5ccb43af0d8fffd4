import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation.models import Dataset
from review.insights import dataset_insights


class Command(BaseCommand):
    help = (
        "Print a dataset's collection statistics: composition by category, pace, time to "
        "a verdict, rejection reasons, lengths, review scores, Krippendorff's alpha on the "
        "decisions (overall and per category, with the pairs it rests on) and each "
        "reviewer's record. --json prints the insights page's figures as one JSON object."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", required=True, help="the dataset's slug")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")

    def handle(self, *args, dataset: str, json: bool, **options) -> None:
        found = Dataset.objects.filter(slug=dataset).first()
        if found is None:
            known = ", ".join(Dataset.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No dataset {dataset!r} (datasets: {known}).")
        figures = dataset_insights(dataset=found, reviewer_detail=True)
        if json:
            # The headline figures first, named as the README promises scripts; the page's
            # figures follow whole.
            agreement = figures["agreement"]
            headline = {"alpha": agreement["alpha"], "alpha_pairs": agreement["pairs"]}
            self.stdout.write(_dumps(headline | figures))
            return
        self._summary(figures)

    def _summary(self, figures: dict) -> None:
        out = self.stdout.write
        agreement = figures["agreement"]
        alpha = "undefined" if agreement["alpha"] is None else f"{agreement['alpha']:.3f}"
        out(f"{figures['dataset']['name']}: {figures['approved']} approved pairs")
        out(f"alpha (nominal, decisions): {alpha} over {agreement['pairs']} pairs")
        for category in figures["categories"]:
            out(
                f"  {category['slug']:<24} approved {category['approved']:>8}"
                f"  share {category['share']:.1%} (target {category['target_share']:.1%})"
                f"  alpha {category['alpha'] if category['alpha'] is not None else '-'}"
                f" over {category['alpha_pairs']} pairs"
            )
        for reviewer in figures.get("reviewers", []):
            agree = "-" if reviewer["agreement"] is None else f"{reviewer['agreement']:.0%}"
            flags = f"  [{', '.join(reviewer['flags'])}]" if reviewer["flags"] else ""
            out(f"  {reviewer['reviewer']:<24} {reviewer['pairs']:>7} pairs, agrees {agree}{flags}")


def _dumps(figures: dict) -> str:
    return json.dumps(figures, indent=2, ensure_ascii=False)
