using LockboxPortal.Features.Grants;

namespace LockboxPortal.Features.Notifications;

public static class NotificationsRegistration
{
    /// <summary>What the outbox (the outbound-message seam, chosen in Hosting/LockboxSeams.cs) composes with: its email sender, the reminder moments the deadline timer applies, and the dispatcher (a hosted service).</summary>
    public static IServiceCollection AddLockboxNotifications(this IServiceCollection services)
    {
        // From the app's configuration; a composition without one (the service tests, the benchmark) sends no email.
        services.AddOptions<EmailSettings>().Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(EmailSettings.Section).Bind(o));
        services.AddOptions<PortalSettings>().Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(PortalSettings.Section).Bind(o));
        services.AddSingleton<EmailNotices>();
        services.AddSingleton<IOutboxSender, SmtpEmailSender>();
        services.AddScoped<IDeadlineSource, ReminderDeadlines>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}
