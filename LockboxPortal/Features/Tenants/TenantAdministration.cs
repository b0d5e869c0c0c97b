using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LockboxPortal.Features.Tenants;

public static class TenantAdministration
{
    /// <summary>The tenant, people, invitation, profile and first-start services.</summary>
    public static IServiceCollection AddLockboxAdministration(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, AdministrationAuthorizationHandler>();
        services.TryAddSingleton<IFirstStartNotice, ConsoleFirstStartNotice>();
        services.AddSingleton<DirectoryNotifier>();
        services.AddScoped<AccountRules>();
        services.AddScoped<TenantAdminService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<PeopleService>();
        services.AddScoped<ProfileService>();
        services.AddScoped<TwoFactorService>();
        services.AddScoped<FreshFactorCheck>();
        services.AddScoped<SetupService>();
        services.TryAddSingleton(new ProviderDirectory(null));
        services.AddScoped<DirectorySignIn>();
        return services;
    }

    /// <summary>
    /// Outside Development, while no provider admin exists, issues the one-time setup link and announces it once
    /// the portal listens (so the link carries the real address). In Development the demo data has an admin.
    /// </summary>
    public static async Task OfferFirstStartSetupAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var issued = await scope.ServiceProvider.GetRequiredService<SetupService>().IssueTokenIfNeededAsync();
        if (issued is not { } setup)
        {
            return;
        }

        var notice = app.Services.GetRequiredService<IFirstStartNotice>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            string address;
            try
            {
                address = app.Urls.FirstOrDefault()?.Replace("[::]", "localhost", StringComparison.Ordinal).TrimEnd('/') ?? "";
            }
            catch (InvalidOperationException)
            {
                address = ""; // a server without addresses (the test server): the path alone
            }

            notice.SetupLinkIssued($"{address}{SetupService.SetupPath}?token={setup.Token}", setup.ExpiresAt);
        });
    }
}
