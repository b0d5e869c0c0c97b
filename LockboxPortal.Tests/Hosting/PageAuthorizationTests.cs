using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using LockboxPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LockboxPortal.Tests.Hosting;

/// <summary>Every page needs a signed-in person, except the sign-in pages themselves.</summary>
public sealed partial class PageAuthorizationTests(DemoPortalFixture portal) : IClassFixture<DemoPortalFixture>
{
    private static readonly string[] AnonymousPages = ["/account/login", "/account/login-2fa", "/account/login-recovery", "/account/login-code", "/account/lockout", "/account/access-denied", "/account/entra/refused", "/setup", "/invitations/accept"];


    public static TheoryData<string> Routes()
    {
        var data = new TheoryData<string>();
        foreach (var route in RoutablePages().SelectMany(p => p.GetCustomAttributes<RouteAttribute>()).Select(r => r.Template).Distinct())
        {
            data.Add(route);
        }

        return data;
    }

    [Fact]
    public void EveryPage_SaysWhoMayOpenIt()
    {
        var pages = RoutablePages().ToList();
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            var authorize = page.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Any();
            var anonymous = page.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any();
            Assert.True(authorize ^ anonymous, $"{page.FullName} must carry exactly one of [Authorize] or [AllowAnonymous].");
            if (anonymous)
            {
                var templates = page.GetCustomAttributes<RouteAttribute>().Select(r => r.Template);
                Assert.All(templates, t => Assert.Contains(t, AnonymousPages));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Page_WithoutSigningIn_RedirectsToSignIn_UnlessItIsASignInPage(string template)
    {
        using var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync(Concrete(template));

        if (AnonymousPages.Contains(template))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/login", response.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<Type> RoutablePages() =>
        typeof(Program).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any());

    /// <summary>Fills route parameters with values of their type, e.g. {Id:guid} with a new GUID.</summary>
    private static string Concrete(string template) =>
        RouteParameter().Replace(template, m => m.Groups["type"].Value switch
        {
            "guid" => Guid.NewGuid().ToString(),
            "int" or "long" => "1",
            _ => "x",
        });

    [GeneratedRegex(@"\{(?<name>[^}:?]+)(:(?<type>[^}?]+))?\??\}")]
    private static partial Regex RouteParameter();
}
