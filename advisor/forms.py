from django import forms


class AssessForm(forms.Form):
    as_of = forms.DateField(
        required=False,
        label="As of",
        help_text="Leave blank for today. Ages (of the roadmap, of the last interview) "
        "are counted to this date.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
