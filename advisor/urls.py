app_name = "advisor"
urlpatterns = []
