import { routeTable } from './helpers.js';

routeTable('Django routes', [
  {
    name: 'app urls.py: path() with converters, views through `from . import views`, class-based views',
    code: `
      from django.urls import path

      from . import views

      app_name = "polls"
      urlpatterns = [
          path("", views.IndexView.as_view(), name="index"),
          path("<int:pk>/", views.DetailView.as_view(), name="detail"),
          path("<int:question_id>/vote/", views.vote, name="vote"),
      ]
    `,
    file: 'polls/urls.py',
    routes: [
      'django * / -> polls/views.py:IndexView:0 @7',
      'django * /<int:pk>/ -> polls/views.py:DetailView:0 @8',
      'django * /<int:question_id>/vote/ -> polls/views.py:vote:0 @9',
    ],
  },
  {
    name: 'project urls.py: include() of a list inline and by name; include of another module adds nothing',
    code: `
      from django.contrib import admin
      from django.urls import include, path

      from accounts.views import ProfileView, signup

      account_patterns = [
          path("signup/", signup),
          path("profile/", ProfileView.as_view()),
      ]

      urlpatterns = [
          path("admin/", admin.site.urls),
          path("polls/", include("polls.urls")),
          path("accounts/", include(account_patterns)),
          path("api/", include([
              path("v1/ping/", signup, name="ping"),
          ])),
      ]
    `,
    file: 'mysite/urls.py',
    routes: [
      'django * /accounts/signup/ -> accounts/views.py:signup:0 @7',
      'django * /accounts/profile/ -> accounts/views.py:ProfileView:0 @8',
      'django * /api/v1/ping/ -> accounts/views.py:signup:0 @16',
    ],
  },
  {
    name: 're_path and the old url(): regex kept, ^ dropped after the leading slash',
    code: `
      from django.conf.urls import url
      from django.urls import re_path, include
      from blog import views as blog_views

      urlpatterns = [
          re_path(r"^articles/(?P<year>[0-9]{4})/$", blog_views.year_archive),
          url(r"^feed/", include([
              url(r"^rss/$", blog_views.rss),
          ])),
      ]
    `,
    file: 'site/urls.py',
    routes: [
      'django * /articles/(?P<year>[0-9]{4})/$ -> blog/views.py:year_archive:0 @6',
      'django * /feed/rss/$ -> blog/views.py:rss:0 @8',
    ],
  },
  {
    name: 'views defined in the urls module itself, wrapped views, generic views and lambdas',
    code: `
      from django.contrib.auth.decorators import login_required
      from django.http import HttpResponse
      from django.urls import path
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView

      def health(request):
          return HttpResponse("ok")

      class Ping(TemplateView):
          template_name = "ping.html"

      urlpatterns = [
          path("health/", health),
          path("ping/", Ping.as_view()),
          path("private/", login_required(health)),
          path("cached/", cache_page(60)(health)),
          path("about/", TemplateView.as_view(template_name="about.html")),
          path("inline/", lambda request: HttpResponse("x")),
      ]
    `,
    file: 'single/urls.py',
    routes: [
      'django * /health/ -> health:7 @14',
      'django * /ping/ -> Ping:10 @15',
      'django * /private/ -> health:7 @16',
      'django * /cached/ -> health:7 @17',
      'django * /about/ -> django/views/generic.py:TemplateView:0 @18',
      'django * /inline/ -> <lambda>:19 @19',
    ],
  },
  {
    name: 'urlpatterns += [...] and urlpatterns.append(path(...))',
    code: `
      from django.urls import path
      from . import views

      urlpatterns = [path("a/", views.a)]
      urlpatterns += [path("b/", views.b)]
      urlpatterns.append(path("c/", views.c))
    `,
    file: 'shop/urls.py',
    routes: [
      'django * /a/ -> shop/views.py:a:0 @4',
      'django * /b/ -> shop/views.py:b:0 @5',
      'django * /c/ -> shop/views.py:c:0 @6',
    ],
  },
  {
    name: 'keyword route/view arguments and views from a package module',
    code: `
      from django.urls import path
      import shop.api.views

      urlpatterns = [
          path(route="cart/", view=shop.api.views.cart, name="cart"),
      ]
    `,
    file: 'project/shop/urls.py',
    routes: ['django * /cart/ -> project/shop/api/views.py:cart:0 @5'],
  },
  // --- not routes ---
  {
    name: 'path() without a Django import is not a URL pattern',
    code: `
      from pathlib import Path

      def path(*parts):
          return "/".join(parts)

      ROOT = path("a", "b")
      patterns = [path("x/", print)]
    `,
    routes: [],
  },
  {
    name: 'os.path and pathlib in a urls module are not patterns',
    code: `
      import os
      from django.urls import path
      from . import views

      BASE = os.path.join("a", "b")
      urlpatterns = [path("", views.index)]
    `,
    file: 'core/urls.py',
    routes: ['django * / -> core/views.py:index:0 @6'],
  },
  {
    name: 'include() of another URLconf, DRF router urls and static() add no route',
    code: `
      from django.conf import settings
      from django.conf.urls.static import static
      from django.urls import include, path

      urlpatterns = [
          path("", include("core.urls")),
          path("api/", include(router.urls)),
      ] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    `,
    routes: [],
  },
]);
