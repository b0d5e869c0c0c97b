using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.Authorization;

namespace LockboxPortal.Features.Approvers;

public static class ApproversSetup
{
    /// <summary>Approver lists, policies and delegations: their commands, their queries, and the notifier open pages listen to.</summary>
    public static IServiceCollection AddLockboxApprovers(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, ApproverAuthorizationHandler>();
        services.AddSingleton<ApproverNotifier>();
        services.AddScoped<ApproverListService>();
        services.AddScoped<ApproverListQueries>();
        services.AddScoped<DelegationService>();
        services.AddScoped<DelegationQueries>();
        services.AddScoped<IPersonDeactivationParticipant, DeactivatedPersonDelegations>();
        services.AddScoped<Grants.IDeadlineSource, DelegationDeadlines>();
        services.AddSingleton<QuorumWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<QuorumWatch>());
        return services;
    }
}
