from django.urls import path

from annotation.views import home, licence, pairs, prompts, similar, write

app_name = "annotation"

urlpatterns = [
    path("", home.home, name="home"),
    # Writing
    path("write/", write.write, name="write"),
    path("write/<uuid:public_id>/", write.edit, name="edit_pair"),
    path("write/<uuid:public_id>/autosave/", write.autosave, name="autosave"),
    path("write/<uuid:public_id>/submit/", write.submit, name="submit"),
    path("write/<uuid:public_id>/skip/", write.skip, name="skip"),
    path("write/<uuid:public_id>/choose/", write.choose, name="choose"),
    path("write/<uuid:public_id>/similar/", similar.near_duplicates, name="near_duplicates"),
    path("licence/<slug:dataset>/", licence.accept, name="licence"),
    # Open prompts: an instruction alone, answered by someone else
    path("questions/", prompts.open_prompts, name="open_prompts"),
    path("questions/ask/", prompts.ask, name="ask"),
    path("questions/<uuid:public_id>/answer/", prompts.answer, name="answer"),
    # The author's own pairs
    path("pairs/", pairs.my_pairs, name="my_pairs"),
    path("pairs/<uuid:public_id>/", pairs.pair_detail, name="pair_detail"),
    path("pairs/<uuid:public_id>/withdraw/", pairs.withdraw, name="withdraw"),
]
