#include "app/app.h"

int main(int argc, char** argv) { return cbrnhub::app::Main(argc, argv); }
