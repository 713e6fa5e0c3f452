import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";

/** The repository root: the Docker build context, with the project's one Dockerfile. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** ECR repository and the project's image, built from the root Dockerfile and pushed on `pulumi up`. */
export function createImage(config: StackConfig): pulumi.Output<string> {
  const repository = new aws.ecr.Repository("app", {
    imageScanningConfiguration: { scanOnPush: true },
    forceDelete: !config.deletionProtection,
  });
  const image = new awsx.ecr.Image("app", {
    repositoryUrl: repository.repositoryUrl,
    context: PROJECT_ROOT,
    dockerfile: path.join(PROJECT_ROOT, "Dockerfile"),
    // Fargate tasks run on x86_64 (see the task definitions' runtimePlatform).
    platform: "linux/amd64",
  });
  return image.imageUri;
}
