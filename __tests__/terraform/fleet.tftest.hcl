# Applies the stack with the article's tfvars plus examples/fleet.tfvars (3 teams,
# 10 projects) under a mocked aws provider, and checks each role's exact trust.

mock_provider "aws" {
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
    }
  }
}

run "fleet_trust_policies" {
  command = apply

  assert {
    condition = aws_iam_role.fleet["payments-releases"].assume_role_policy == jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }
        Condition = {
          StringEquals = { "gitlab.com:aud" = ["https://gitlab.com"] }
          StringLike   = { "gitlab.com:sub" = ["project_path:payments/*:ref_type:tag:ref:v*"] }
        }
      }]
    })
    error_message = "payments-releases: ${aws_iam_role.fleet["payments-releases"].assume_role_policy}"
  }

  assert {
    condition = aws_iam_role.fleet["web-production"].assume_role_policy == jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }
        Condition = {
          StringEquals = {
            "gitlab.com:aud"           = ["https://gitlab.com"]
            "gitlab.com:project_id"    = ["40100001", "40100002"]
            "gitlab.com:ref_protected" = ["true"]
            "gitlab.com:sub"           = ["project_path:web/storefront:ref_type:branch:ref:main", "project_path:web/admin:ref_type:branch:ref:main"]
          }
        }
      }]
    })
    error_message = "web-production: ${aws_iam_role.fleet["web-production"].assume_role_policy}"
  }

  assert {
    condition = jsondecode(aws_iam_role.fleet["data-etl"].assume_role_policy).Statement[0].Condition == {
      StringEquals = {
        "gitlab.com:aud" = ["https://gitlab.com"]
        "gitlab.com:sub" = [
          "project_path:data-platform/etl:ref_type:branch:ref:main",
          "project_path:data-platform/ingest:ref_type:branch:ref:main",
          "project_path:data-platform/warehouse:ref_type:branch:ref:main",
        ]
      }
    }
    error_message = "data-etl: ${aws_iam_role.fleet["data-etl"].assume_role_policy}"
  }

  assert {
    condition     = aws_iam_role.gitlab_ci[0].assume_role_policy == jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }, Condition = { StringEquals = { "gitlab.com:sub" = ["project_path:mygroup/myproject:ref_type:branch:ref:main"], "gitlab.com:aud" = ["https://gitlab.com"] } } }] })
    error_message = "the article's role changed: ${aws_iam_role.gitlab_ci[0].assume_role_policy}"
  }

  assert {
    condition     = jsonencode(sort(keys(aws_iam_role.fleet))) == jsonencode(["data-etl", "data-readonly", "payments-api-deploy", "payments-ledger-deploy", "payments-releases", "web-docs", "web-preview", "web-production"])
    error_message = "roles are not keyed by name: ${jsonencode(keys(aws_iam_role.fleet))}"
  }

  assert {
    condition = jsonencode(sort(keys(aws_iam_role_policy_attachment.fleet))) == jsonencode([
      "data-readonly/arn:aws:iam::aws:policy/ReadOnlyAccess",
      "payments-api-deploy/arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
      "payments-ledger-deploy/arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
      "payments-releases/arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
      "web-docs/arn:aws:iam::aws:policy/AmazonS3FullAccess",
      "web-preview/arn:aws:iam::aws:policy/AmazonS3FullAccess",
      "web-production/arn:aws:iam::aws:policy/AmazonECS_FullAccess",
    ])
    error_message = "attachments are not keyed by role/ARN: ${jsonencode(keys(aws_iam_role_policy_attachment.fleet))}"
  }

  assert {
    condition     = aws_iam_role_policy_attachment.fleet["web-production/arn:aws:iam::aws:policy/AmazonECS_FullAccess"].role == aws_iam_role.fleet["web-production"].name
    error_message = "attachment is on the wrong role"
  }

  assert {
    condition     = jsonencode(keys(aws_iam_role_policy.fleet)) == jsonencode(["data-etl/etl-bucket"]) && aws_iam_role_policy.fleet["data-etl/etl-bucket"].name == "etl-bucket" && jsondecode(aws_iam_role_policy.fleet["data-etl/etl-bucket"].policy).Statement[0].Resource == "arn:aws:s3:::data-platform-etl/*"
    error_message = "inline policy differs"
  }

  assert {
    condition = (
      aws_iam_role.fleet["web-production"].name == "web-production" &&
      aws_iam_role.fleet["web-production"].permissions_boundary == "arn:aws:iam::123456789012:policy/web-production-boundary" &&
      aws_iam_role.fleet["web-production"].max_session_duration == 3600 &&
      aws_iam_role.fleet["data-etl"].max_session_duration == 7200 &&
      aws_iam_role.fleet["web-preview"].path == "/gitlab-ci/" &&
      aws_iam_role.fleet["payments-api-deploy"].path == "/" &&
      aws_iam_role.fleet["web-production"].tags == tomap({ team = "web", environment = "production" })
    )
    error_message = "role settings differ"
  }

  assert {
    condition = (
      length(output.trust_summary["data-readonly"].warnings) == 2 &&
      length(output.trust_summary["web-preview"].warnings) == 1 &&
      length(output.trust_summary["payments-releases"].warnings) == 1 &&
      length(output.trust_summary["web-production"].warnings) == 0 &&
      jsonencode(output.trust_summary["web-production"].other_claims) == jsonencode({ project_id = ["40100001", "40100002"], ref_protected = ["true"] }) &&
      length(output.trust_summary["gitlab_ci"].warnings) == 0
    )
    error_message = "trust_summary warnings differ: ${jsonencode({ for k, v in output.trust_summary : k => v.warnings })}"
  }

  assert {
    condition     = length(output.role_arns) == 8 && output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
    error_message = "outputs differ"
  }
}

run "reuse_existing_provider" {
  command = apply

  variables {
    existing_provider_arn = "arn:aws:iam::210987654321:oidc-provider/gitlab.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.gitlab) == 0
    error_message = "a provider was created although existing_provider_arn is set"
  }

  assert {
    condition = alltrue([
      for role in concat(values(aws_iam_role.fleet), [aws_iam_role.gitlab_ci[0]]) :
      jsondecode(role.assume_role_policy).Statement[0].Principal.Federated == "arn:aws:iam::210987654321:oidc-provider/gitlab.com"
    ])
    error_message = "a role does not trust the existing provider"
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::210987654321:oidc-provider/gitlab.com"
    error_message = "oidc_provider_arn output is not the existing provider"
  }
}

run "admin_policy_is_flagged" {
  command = plan

  variables {
    roles = {
      "break-glass" = {
        subjects            = ["project_path:ops/break-glass:ref_type:branch:ref:main"]
        managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
      }
    }
  }

  assert {
    condition     = jsonencode(output.trust_summary["break-glass"].warnings) == jsonencode(["attaches arn:aws:iam::aws:policy/AdministratorAccess: administrator-level access to the account"])
    error_message = "AdministratorAccess is not flagged: ${jsonencode(output.trust_summary["break-glass"].warnings)}"
  }
}
